package io.braid.store.page;

import java.io.IOException;

/**
 * The page store's metadata (checkpoint or a journal segment that was made durable) fails its
 * checks in a way a crash cannot explain; the store refuses to open rather than guess.
 */
public final class MetadataCorruptedException extends IOException {
    public MetadataCorruptedException(String message) {
        super(message);
    }
}

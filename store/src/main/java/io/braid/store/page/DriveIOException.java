package io.braid.store.page;

import java.io.IOException;

/** An I/O error of one drive, naming the drive so that the store can fail exactly that one. */
final class DriveIOException extends IOException {
    final transient DriveFile file;

    DriveIOException(DriveFile file, IOException cause) {
        super("drive " + PageStore.driveName(file.header.index()) + " (" + file.path + "): " + cause.getMessage(),
                cause);
        this.file = file;
    }

    int index() {
        return file.header.index();
    }
}

package io.braid.node;

import io.braid.scsi.UnitStateStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A volume's persistent SCSI state ({@link UnitStateStore}) as files next to its metadata:
 * {@code volumes/<volume>.<record>.state}, each replaced with {@link DataDirectory#writeAtomically}
 * so a crash leaves the old or the new record whole.
 */
final class FileUnitStateStore implements UnitStateStore {

    private static final Pattern RECORD_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final Path dir;
    private final String volume;

    FileUnitStateStore(Path dir, String volume) {
        this.dir = dir;
        this.volume = volume;
    }

    @Override
    public byte[] load(String name) throws IOException {
        try {
            return Files.readAllBytes(path(name));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void store(String name, byte[] record) throws IOException {
        DataDirectory.writeAtomically(path(name), record, true);
    }

    @Override
    public void delete(String name) throws IOException {
        if (Files.deleteIfExists(path(name))) {
            DataDirectory.fsyncDirectory(dir);
        }
    }

    private Path path(String name) {
        if (!RECORD_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("state record name \"" + name + "\" is not [a-z][a-z0-9-]*");
        }
        return dir.resolve(volume + "." + name + ".state");
    }
}

package io.braid.store.page;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One metadata change, as appended to the journal (docs/storage.md "Metadata directory": the
 * table of record types). Each record type's wire form is next to it in {@link #encode} and
 * {@link #decode}.
 */
sealed interface JournalRecord {

    /** The most pages one PagesDirty/PagesClean record lists; longer lists are split. */
    int MAX_PAGES = 65536;
    /** The longest name or path a record carries, in UTF-8 bytes. */
    int MAX_STRING = 4096;

    record VolumeCreated(int volume, UUID id, String name, long sizeBytes, long createdMillis)
            implements JournalRecord {
    }

    record VolumeResized(int volume, long sizeBytes) implements JournalRecord {
    }

    record VolumeDeleted(int volume) implements JournalRecord {
    }

    /** Both copies of a page, packed as in {@link Copies}; also marks the page dirty. */
    record PageAllocated(int volume, long page, long copies) implements JournalRecord {
    }

    record PageFreed(int volume, long page) implements JournalRecord {
    }

    record PagesDirty(int volume, long[] pages) implements JournalRecord {
    }

    record PagesClean(int volume, long[] pages) implements JournalRecord {
    }

    record DriveAdded(int drive, UUID id, String path, long slots) implements JournalRecord {
    }

    record DriveStateChanged(int drive, DriveState state, String cause) implements JournalRecord {
    }

    record DriveReplaced(int drive, UUID id, String path, long slots) implements JournalRecord {
    }

    /** Appends type and payload. */
    static void encode(JournalRecord r, ByteBuffer b) {
        switch (r) {
            case VolumeCreated v -> {
                b.put((byte) 1).putInt(v.volume());
                putUuid(b, v.id());
                putString(b, v.name());
                b.putLong(v.sizeBytes()).putLong(v.createdMillis());
            }
            case VolumeResized v -> b.put((byte) 2).putInt(v.volume()).putLong(v.sizeBytes());
            case VolumeDeleted v -> b.put((byte) 3).putInt(v.volume());
            case PageAllocated p -> b.put((byte) 4).putInt(p.volume()).putLong(p.page()).putLong(p.copies());
            case PageFreed p -> b.put((byte) 5).putInt(p.volume()).putLong(p.page());
            case PagesDirty p -> putPages(b.put((byte) 6), p.volume(), p.pages());
            case PagesClean p -> putPages(b.put((byte) 7), p.volume(), p.pages());
            case DriveAdded d -> {
                b.put((byte) 8).putInt(d.drive());
                putUuid(b, d.id());
                putString(b, d.path());
                b.putLong(d.slots());
            }
            case DriveStateChanged d -> {
                b.put((byte) 9).putInt(d.drive()).put((byte) d.state().ordinal());
                putString(b, d.cause());
            }
            case DriveReplaced d -> {
                b.put((byte) 10).putInt(d.drive());
                putUuid(b, d.id());
                putString(b, d.path());
                b.putLong(d.slots());
            }
        }
    }

    /** An upper bound of the encoded size of type and payload. */
    static int maxSize(JournalRecord r) {
        return switch (r) {
            case PagesDirty p -> 9 + 8 * p.pages().length;
            case PagesClean p -> 9 + 8 * p.pages().length;
            case VolumeCreated v -> 64 + 2 + 3 * v.name().length();
            case DriveAdded d -> 64 + 2 + 3 * d.path().length();
            case DriveReplaced d -> 64 + 2 + 3 * d.path().length();
            case DriveStateChanged d -> 64 + 2 + 3 * Math.min(d.cause().length(), MAX_STRING);
            default -> 32;
        };
    }

    /**
     * Decodes type and payload filling exactly the buffer.
     *
     * @throws IllegalArgumentException for an unknown type or a payload of the wrong length
     */
    static JournalRecord decode(ByteBuffer b) {
        try {
            int type = b.get() & 0xff;
            JournalRecord r = switch (type) {
                case 1 -> new VolumeCreated(b.getInt(), getUuid(b), getString(b), b.getLong(), b.getLong());
                case 2 -> new VolumeResized(b.getInt(), b.getLong());
                case 3 -> new VolumeDeleted(b.getInt());
                case 4 -> new PageAllocated(b.getInt(), b.getLong(), b.getLong());
                case 5 -> new PageFreed(b.getInt(), b.getLong());
                case 6 -> new PagesDirty(b.getInt(), getPages(b));
                case 7 -> new PagesClean(b.getInt(), getPages(b));
                case 8 -> new DriveAdded(b.getInt(), getUuid(b), getString(b), b.getLong());
                case 9 -> new DriveStateChanged(b.getInt(), state(b.get()), getString(b));
                case 10 -> new DriveReplaced(b.getInt(), getUuid(b), getString(b), b.getLong());
                default -> throw new IllegalArgumentException("unknown journal record type " + type);
            };
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("journal record type " + type + " has "
                        + b.remaining() + " bytes too many");
            }
            return r;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("journal record is truncated", e);
        }
    }

    private static DriveState state(byte b) {
        DriveState[] all = DriveState.values();
        if (b < 0 || b >= all.length) {
            throw new IllegalArgumentException("unknown drive state " + b);
        }
        return all[b];
    }

    private static void putPages(ByteBuffer b, int volume, long[] pages) {
        b.putInt(volume).putInt(pages.length);
        for (long p : pages) {
            b.putLong(p);
        }
    }

    private static long[] getPages(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > MAX_PAGES || n * 8L > b.remaining()) {
            throw new IllegalArgumentException("page list of " + n + " entries does not fit the record");
        }
        long[] pages = new long[n];
        for (int i = 0; i < n; i++) {
            pages[i] = b.getLong();
        }
        return pages;
    }

    static void putUuid(ByteBuffer b, UUID id) {
        b.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    }

    static UUID getUuid(ByteBuffer b) {
        return new UUID(b.getLong(), b.getLong());
    }

    static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, MAX_STRING);
        b.putShort((short) n).put(bytes, 0, n);
    }

    static String getString(ByteBuffer b) {
        int n = b.getShort() & 0xffff;
        if (n > MAX_STRING || n > b.remaining()) {
            throw new IllegalArgumentException("string of " + n + " bytes does not fit the record");
        }
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

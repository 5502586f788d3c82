package io.braid.store.page;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The checkpoint file (docs/storage.md "Metadata directory"): a snapshot of all metadata up to a
 * journal sequence number, replaced atomically by rename.
 */
final class Checkpoint {

    static final String FILE = "checkpoint";
    private static final byte[] MAGIC = {'B', 'R', 'A', 'I', 'D', 'C', 'K', 'P'};
    private static final int VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(Checkpoint.class);

    private Checkpoint() {
    }

    /** The whole metadata of a store at {@code lastSeq}. */
    record Image(UUID storeId, long lastSeq, int pageSize, int nextVolume, List<DriveImage> drives,
                 List<VolumeImage> volumes, long[] pendingFree) {
    }

    record DriveImage(int index, UUID id, String path, DriveState state, String cause, long slots) {
    }

    /** {@code pages[i]} has copies {@code copies[i]}; {@code dirty} lists the dirty pages. */
    record VolumeImage(int number, UUID id, String name, long sizeBytes, long createdMillis,
                       long[] pages, long[] copies, long[] dirty) {
    }

    static void write(Path dir, Image img) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        CRC32C crc = new CRC32C();
        try (OutputStream fos = Files.newOutputStream(tmp);
             CheckedOutputStream cos = new CheckedOutputStream(new BufferedOutputStream(fos, 1 << 16), crc);
             DataOutputStream out = new DataOutputStream(cos)) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(img.storeId().getMostSignificantBits());
            out.writeLong(img.storeId().getLeastSignificantBits());
            out.writeLong(img.lastSeq());
            out.writeInt(img.pageSize());
            out.writeInt(img.nextVolume());
            out.writeInt(img.drives().size());
            for (DriveImage d : img.drives()) {
                out.writeInt(d.index());
                out.writeLong(d.id().getMostSignificantBits());
                out.writeLong(d.id().getLeastSignificantBits());
                writeString(out, d.path());
                out.writeByte(d.state().ordinal());
                writeString(out, d.cause());
                out.writeLong(d.slots());
            }
            out.writeInt(img.volumes().size());
            for (VolumeImage v : img.volumes()) {
                out.writeInt(v.number());
                out.writeLong(v.id().getMostSignificantBits());
                out.writeLong(v.id().getLeastSignificantBits());
                writeString(out, v.name());
                out.writeLong(v.sizeBytes());
                out.writeLong(v.createdMillis());
                out.writeInt(v.pages().length);
                for (int i = 0; i < v.pages().length; i++) {
                    out.writeLong(v.pages()[i]);
                    out.writeLong(v.copies()[i]);
                }
                out.writeInt(v.dirty().length);
                for (long p : v.dirty()) {
                    out.writeLong(p);
                }
            }
            out.writeInt(img.pendingFree().length);
            for (long s : img.pendingFree()) {
                out.writeLong(s);
            }
            out.flush();
            int sum = (int) crc.getValue();
            fos.write(new byte[]{(byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8), (byte) sum});
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(dir);
    }

    /**
     * Reads the checkpoint, or null when there is none.
     *
     * @throws MetadataCorruptedException when it fails its checksum or its checks
     */
    static Image read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return null;
        }
        long size = Files.size(file);
        if (size < 4) {
            throw new MetadataCorruptedException("checkpoint " + file + " is truncated (" + size + " bytes)");
        }
        CRC32C crc = new CRC32C();
        try (InputStream fis = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new CheckedInputStream(
                     new BufferedInputStream(new Bounded(fis, size - 4), 1 << 16), crc))) {
            Reader r = new Reader(in, size);
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new MetadataCorruptedException("checkpoint " + file + " is not a Braid checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new MetadataCorruptedException("checkpoint " + file + " has version " + version
                        + "; this Braid reads version " + VERSION);
            }
            UUID store = new UUID(in.readLong(), in.readLong());
            long lastSeq = in.readLong();
            int pageSize = in.readInt();
            int nextVolume = in.readInt();
            int nd = r.count(PageStoreConfig.MAX_DRIVES, 30);
            List<DriveImage> drives = new ArrayList<>();
            for (int i = 0; i < nd; i++) {
                int index = in.readInt();
                UUID id = new UUID(in.readLong(), in.readLong());
                String path = r.string();
                int st = in.readUnsignedByte();
                if (st >= DriveState.values().length) {
                    throw new MetadataCorruptedException("checkpoint " + file + ": unknown drive state " + st);
                }
                drives.add(new DriveImage(index, id, path, DriveState.values()[st], r.string(), in.readLong()));
            }
            int nv = r.count(Integer.MAX_VALUE, 40);
            List<VolumeImage> volumes = new ArrayList<>();
            for (int i = 0; i < nv; i++) {
                int number = in.readInt();
                UUID id = new UUID(in.readLong(), in.readLong());
                String name = r.string();
                long sizeBytes = in.readLong();
                long created = in.readLong();
                int np = r.count(Integer.MAX_VALUE, 16);
                long[] pages = new long[np];
                long[] copies = new long[np];
                for (int k = 0; k < np; k++) {
                    pages[k] = in.readLong();
                    copies[k] = in.readLong();
                }
                int ndirty = r.count(Integer.MAX_VALUE, 8);
                long[] dirty = new long[ndirty];
                for (int k = 0; k < ndirty; k++) {
                    dirty[k] = in.readLong();
                }
                volumes.add(new VolumeImage(number, id, name, sizeBytes, created, pages, copies, dirty));
            }
            int npf = r.count(Integer.MAX_VALUE, 8);
            long[] pending = new long[npf];
            for (int k = 0; k < npf; k++) {
                pending[k] = in.readLong();
            }
            if (in.read() != -1) {
                throw new MetadataCorruptedException("checkpoint " + file + " has trailing bytes");
            }
            int expected = (int) crc.getValue();
            byte[] tail = new byte[4];
            try (InputStream raw = Files.newInputStream(file)) {
                raw.skipNBytes(size - 4);
                new DataInputStream(raw).readFully(tail);
            }
            int stored = (tail[0] & 0xff) << 24 | (tail[1] & 0xff) << 16 | (tail[2] & 0xff) << 8 | (tail[3] & 0xff);
            if (stored != expected) {
                throw new MetadataCorruptedException("checkpoint " + file + " fails its checksum");
            }
            return new Image(store, lastSeq, pageSize, nextVolume, drives, volumes, pending);
        } catch (EOFException e) {
            throw new MetadataCorruptedException("checkpoint " + file + " is truncated");
        }
    }

    /** Bounds every count read by what the file can hold, so a damaged count never allocates wildly. */
    private record Reader(DataInputStream in, long fileSize) {
        int count(int max, int minBytesEach) throws IOException {
            int n = in.readInt();
            if (n < 0 || n > max || (long) n * minBytesEach > fileSize) {
                throw new MetadataCorruptedException("checkpoint has an impossible count " + n);
            }
            return n;
        }

        String string() throws IOException {
            int n = in.readUnsignedShort();
            if (n > JournalRecord.MAX_STRING) {
                throw new MetadataCorruptedException("checkpoint has a string of " + n + " bytes");
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, JournalRecord.MAX_STRING);
        out.writeShort(n);
        out.write(b, 0, n);
    }

    /** An input stream that ends after {@code limit} bytes (the checkpoint without its CRC). */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** Makes directory entries (a rename, a new file) durable. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("could not sync directory {}: {}", dir, e.toString());
        }
    }
}

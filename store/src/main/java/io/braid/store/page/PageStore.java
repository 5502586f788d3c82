package io.braid.store.page;

import io.braid.store.BlockDevice;
import io.braid.store.SpaceExhaustedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * A node's page store (docs/storage.md): volumes as mirrored, thin-provisioned 4 MiB pages on N
 * drives, metadata in a journal with checkpoints, crash-safe, surviving drive failures.
 *
 * <p>Threading: every public method and every {@link PageVolume} method may be called from any
 * number of threads. The data path takes no global lock: a page-table read, lock stripes of the
 * 256 KiB chunks a write touches, positional I/O. Background work (cleaning, checkpoints, rebuild,
 * scrub, drive events) runs on the store's own threads.
 */
public final class PageStore implements Closeable {

    static final int UNIT = DriveHeader.UNIT;
    /** A checksum word no 4 KiB of zeroes matches: marks a unit whose data was lost. */
    static final int POISON = 1;
    private static final Logger log = LoggerFactory.getLogger(PageStore.class);
    private static final byte[] ZEROS = new byte[64 << 10];
    private static final int MAX_RUN_UNITS = 256;
    private static final long PROVISIONING_SCAN_UNITS = 1L << 20;

    enum Mode {
        /** Normal operation and scrub: a copy that does not verify is never trusted. */
        STRICT,
        /** Crash recovery of a dirty page: a torn unit is legal and taken from copy 0 as it is. */
        LENIENT
    }

    final PageStoreConfig config;
    final Path dir;
    final Path mirror;
    final UUID storeId;
    final int pageSize;
    final int unitsPerPage;
    final int chunkUnits;
    final int chunksPerPage;
    final ReentrantLock meta = new ReentrantLock();
    final StripeLocks stripes = new StripeLocks();
    final WriteGate gate = new WriteGate();
    final AtomicLong repairs = new AtomicLong();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final CopyOnWriteArrayList<DriveEventListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events;
    private final ScheduledExecutorService maintenance;
    /** Runs {@link #markAheadOf}'s background marks, one virtual thread each. */
    private final ExecutorService marker = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("pagestore-mark-ahead").factory());
    private final ConcurrentHashMap<UUID, PageVolume> volumes = new ConcurrentHashMap<>();
    private final Map<Integer, PageVolume> byNumber = new HashMap<>(); // guarded by meta
    private final Object replaceLock = new Object();
    volatile Drive[] drives = new Drive[0];
    private int nextVolume = 1;                                          // guarded by meta
    private int allocRotor;                                              // guarded by meta
    private Journal journal;
    private volatile ScrubTask scrub;
    private volatile Instant lastScrub; // end of the last complete scrub (or the store's start)
    private volatile boolean closed;

    private PageStore(PageStoreConfig config, Path dir, UUID storeId, int pageSize,
                      FileChannel lockChannel, FileLock lock) {
        this.config = config;
        this.dir = dir;
        this.mirror = config.metadataMirror();
        this.storeId = storeId;
        this.pageSize = pageSize;
        this.unitsPerPage = pageSize / UNIT;
        this.chunkUnits = Math.min(Scratch.CHUNK_UNITS, unitsPerPage);
        this.chunksPerPage = unitsPerPage / chunkUnits;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "pagestore-events"));
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "pagestore-maintenance"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** {@code d0}, {@code d1} ... */
    public static String driveName(int index) {
        return "d" + index;
    }

    /**
     * Parses a drive name as the CLI takes it: {@code d3} or {@code 3}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static int parseDrive(String name) {
        String s = name.startsWith("d") ? name.substring(1) : name;
        try {
            int i = Integer.parseInt(s);
            if (i >= 0 && i < PageStoreConfig.MAX_DRIVES) {
                return i;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("\"" + name + "\" is not a drive name (d0, d1, ...)");
    }

    // ------------------------------------------------------------------ open and recovery

    /**
     * Opens the store described by {@code config}: formats the drives of a new store, or loads the
     * checkpoint and journal of an existing one, checks every drive's identity and recovers from an
     * unclean stop (docs/storage.md "Recovery").
     *
     * @throws DriveIdentityException     when a drive is missing, foreign or swapped
     * @throws MetadataCorruptedException when the metadata cannot be trusted
     */
    public static PageStore open(PageStoreConfig config) throws IOException {
        Path dir = config.metadataDir().toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Files.createDirectories(config.metadataMirror());
        FileChannel lockCh = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lk;
        try {
            lk = lockCh.tryLock();
        } catch (IOException | RuntimeException e) {
            lockCh.close();
            throw new IOException("page store metadata directory " + dir + " is already open", e);
        }
        if (lk == null) {
            lockCh.close();
            throw new IOException("page store metadata directory " + dir + " is in use by another process");
        }
        PageStore store = null;
        try {
            // Both copies of the metadata are checked and made equal first (docs/storage.md
            // "Metadata mirror"); from here on the primary directory holds the better copy.
            MetadataMirror.reconcile(dir, config.metadataMirror());
            Checkpoint.Image img = Checkpoint.read(dir);
            if (img == null) {
                store = new PageStore(config, dir, UUID.randomUUID(), config.pageSize(), lockCh, lk);
                store.create();
            } else {
                store = new PageStore(config, dir, img.storeId(), img.pageSize(), lockCh, lk);
                store.load(img);
            }
            store.startBackground();
            return store;
        } catch (IOException | RuntimeException | Error e) {
            if (store != null) {
                store.abandon();
            } else {
                lockCh.close();
            }
            throw e;
        }
    }

    private void create() throws IOException {
        try (var ds = Files.newDirectoryStream(dir, "journal-*.log")) {
            if (ds.iterator().hasNext()) {
                throw new MetadataCorruptedException("page store metadata directory " + dir
                        + " has journal segments but no checkpoint");
            }
        }
        List<Path> paths = config.drives();
        for (int i = 0; i < paths.size(); i++) {
            refuseForeign(paths.get(i), i);
        }
        List<Drive> made = new ArrayList<>();
        try {
            for (int i = 0; i < paths.size(); i++) {
                DriveFile f = DriveFile.format(paths.get(i), config.createDriveBytes(), storeId, i, pageSize, 0);
                Drive d = new Drive(i, f.id(), f.path, DriveState.ONLINE, "", f.slots());
                d.file = f;
                made.add(d);
            }
            drives = made.toArray(new Drive[0]);
            writeCheckpoint(image(0), List.of(dir, mirror));
        } catch (IOException | RuntimeException e) {
            // Do not leave drives behind that claim to belong to a store that never came to be.
            for (Drive d : made) {
                wipeHeader(d.file);
            }
            drives = new Drive[0];
            throw e;
        }
        journal = Journal.open(List.of(dir, mirror), 0);
        log.info("created page store {} in {}: {} drives, {} KiB pages, {} GiB raw", storeId, dir,
                paths.size(), pageSize >> 10, capacityBytes() >> 30);
    }

    private void refuseForeign(Path path, int index) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        DriveHeader h;
        try {
            h = DriveFile.probe(path);
        } catch (IllegalArgumentException e) {
            throw new DriveIdentityException("drive " + driveName(index) + " at " + path
                    + " is a Braid drive this version cannot read: " + e.getMessage());
        }
        if (h != null) {
            throw new DriveIdentityException("drive " + driveName(index) + " at " + path
                    + " already belongs to page store " + h.storeId() + " (drive " + h.driveId()
                    + "); refusing to format it. Point the metadata directory at that store, or"
                    + " erase the drive first");
        }
    }

    private static void wipeHeader(DriveFile f) {
        try (f) {
            FileChannel ch = FileChannel.open(f.path, StandardOpenOption.WRITE);
            try (ch) {
                ch.write(ByteBuffer.allocate(DriveHeader.SIZE * 2), 0);
                ch.force(true);
            }
        } catch (IOException e) {
            log.warn("could not erase the header of {}: {}", f.path, e.toString());
        }
    }

    private void load(Checkpoint.Image img) throws IOException {
        if (img.pageSize() != config.pageSize()) {
            log.info("page store {} keeps its page size of {} KiB (configured {} KiB applies to new stores)",
                    storeId, img.pageSize() >> 10, config.pageSize() >> 10);
        }
        List<Drive> ds = new ArrayList<>();
        for (Checkpoint.DriveImage di : img.drives()) {
            if (di.index() != ds.size()) {
                throw new MetadataCorruptedException("checkpoint lists drive " + di.index() + " out of order");
            }
            ds.add(new Drive(di.index(), di.id(), Path.of(di.path()), di.state(), di.cause(), di.slots()));
        }
        drives = ds.toArray(new Drive[0]);
        nextVolume = img.nextVolume();
        for (Checkpoint.VolumeImage vi : img.volumes()) {
            PageVolume v = new PageVolume(this, vi.number(), vi.id(), vi.name(), vi.sizeBytes(), vi.createdMillis());
            for (int i = 0; i < vi.pages().length; i++) {
                long p = vi.pages()[i];
                long c = vi.copies()[i];
                checkPage(v, p, c);
                v.table.setCopies(p, c);
                account(v, c, 1);
                markSlots(c);
            }
            for (long p : vi.dirty()) {
                if (p >= 0 && p < v.table.pages() && v.table.copies(p) != Copies.NONE) {
                    v.table.setTag(p, 1);
                    v.dirty.set((int) p);
                }
            }
            volumes.put(v.id, v);
            byNumber.put(v.number, v);
        }
        for (long packed : img.pendingFree()) {
            int d = (int) (packed >>> 32);
            long slot = packed & 0xffffffffL;
            if (d < 0 || d >= drives.length || slot >= drives[d].slots) {
                throw new MetadataCorruptedException("checkpoint lists a pending slot " + d + ":" + slot);
            }
            drives[d].markUsed(slot);
            drives[d].pendingFree.add((int) slot);
        }
        Journal.Replay replay;
        try {
            replay = Journal.replay(dir, img.lastSeq(), this::apply);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof MetadataCorruptedException m) {
                throw m; // a record that contradicts the metadata before it
            }
            throw e;
        }
        journal = Journal.open(List.of(dir, mirror), replay.lastSeq());
        log.info("page store {}: checkpoint at record {}, {} journal records replayed{}", storeId,
                img.lastSeq(), replay.records(),
                replay.truncatedBytes() > 0 ? ", a torn tail of " + replay.truncatedBytes() + " bytes cut off" : "");
        openDrives();
        recover();
        checkpoint();
    }

    private void checkPage(PageVolume v, long p, long c) throws MetadataCorruptedException {
        if (p < 0 || p >= v.table.pages() || !Copies.valid(c, drives.length)
                || Copies.slot(c, 0) >= drives[Copies.drive(c, 0)].slots
                || Copies.slot(c, 1) >= drives[Copies.drive(c, 1)].slots) {
            throw new MetadataCorruptedException("volume " + v.name + " page " + p + " has impossible copies "
                    + Copies.toString(c));
        }
    }

    private void markSlots(long c) {
        drives[Copies.drive(c, 0)].markUsed(Copies.slot(c, 0));
        drives[Copies.drive(c, 1)].markUsed(Copies.slot(c, 1));
    }

    /** Replays one journal record onto the metadata (no drive I/O happens here). */
    private void apply(JournalRecord r) {
        try {
            switch (r) {
                case JournalRecord.VolumeCreated vc -> {
                    PageVolume v = new PageVolume(this, vc.volume(), vc.id(), vc.name(), vc.sizeBytes(),
                            vc.createdMillis());
                    volumes.put(v.id, v);
                    byNumber.put(v.number, v);
                    nextVolume = Math.max(nextVolume, vc.volume() + 1);
                }
                case JournalRecord.VolumeResized vr -> {
                    PageVolume v = vol(vr.volume());
                    v.table.grow(pagesFor(vr.sizeBytes()));
                    v.sizeBytes = vr.sizeBytes();
                }
                case JournalRecord.VolumeDeleted vd -> {
                    PageVolume v = vol(vd.volume());
                    for (long p = 0; p < v.table.pages(); p++) {
                        long c = v.table.copies(p);
                        if (c != Copies.NONE) {
                            pend(c);
                            v.table.setCopies(p, Copies.NONE);
                        }
                    }
                    volumes.remove(v.id);
                    byNumber.remove(v.number);
                }
                case JournalRecord.PageAllocated pa -> {
                    PageVolume v = vol(pa.volume());
                    checkPage(v, pa.page(), pa.copies());
                    if (v.table.copies(pa.page()) != Copies.NONE) {
                        throw new MetadataCorruptedException("volume " + v.name + " page " + pa.page()
                                + " allocated twice");
                    }
                    v.table.setCopies(pa.page(), pa.copies());
                    v.table.setTag(pa.page(), 1);
                    v.dirty.set((int) pa.page());
                    account(v, pa.copies(), 1);
                    markSlots(pa.copies());
                }
                case JournalRecord.PageFreed pf -> {
                    PageVolume v = vol(pf.volume());
                    long c = v.table.copies(pf.page());
                    if (c != Copies.NONE) {
                        pend(c);
                        account(v, c, -1);
                        v.table.setCopies(pf.page(), Copies.NONE);
                        v.table.setTag(pf.page(), 0);
                        v.dirty.clear((int) pf.page());
                    }
                }
                case JournalRecord.PagesDirty pd -> {
                    PageVolume v = vol(pd.volume());
                    for (long p : pd.pages()) {
                        if (p >= 0 && p < v.table.pages() && v.table.copies(p) != Copies.NONE) {
                            v.table.setTag(p, 1);
                            v.dirty.set((int) p);
                        }
                    }
                }
                case JournalRecord.PagesClean pc -> {
                    PageVolume v = vol(pc.volume());
                    for (long p : pc.pages()) {
                        if (p >= 0 && p < v.table.pages()) {
                            v.table.setTag(p, 0);
                            v.dirty.clear((int) p);
                        }
                    }
                }
                case JournalRecord.DriveAdded da -> {
                    if (da.drive() != drives.length) {
                        throw new MetadataCorruptedException("drive " + da.drive() + " added out of order");
                    }
                    Drive[] ds = java.util.Arrays.copyOf(drives, drives.length + 1);
                    ds[da.drive()] = new Drive(da.drive(), da.id(), Path.of(da.path()), DriveState.ONLINE, "",
                            da.slots());
                    drives = ds;
                }
                case JournalRecord.DriveStateChanged dc -> {
                    Drive d = drv(dc.drive());
                    d.state = dc.state();
                    d.cause = dc.cause();
                    if (dc.state() == DriveState.FAILED) {
                        for (int s : d.pendingFree) {
                            d.release(s);
                        }
                        d.pendingFree.clear();
                    }
                }
                case JournalRecord.DriveReplaced dr -> {
                    Drive d = drv(dr.drive());
                    d.id = dr.id();
                    d.path = Path.of(dr.path());
                    d.state = DriveState.REBUILDING;
                    d.cause = "replaced";
                }
            }
        } catch (MetadataCorruptedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private PageVolume vol(int number) throws MetadataCorruptedException {
        PageVolume v = byNumber.get(number);
        if (v == null) {
            throw new MetadataCorruptedException("journal names unknown volume " + number);
        }
        return v;
    }

    private Drive drv(int index) throws MetadataCorruptedException {
        if (index < 0 || index >= drives.length) {
            throw new MetadataCorruptedException("journal names unknown drive " + index);
        }
        return drives[index];
    }

    /** Both slots of a freed page wait for zeroed words to be durable (invariant Z). */
    private void pend(long c) {
        for (int k = 0; k < 2; k++) {
            Drive d = drives[Copies.drive(c, k)];
            long s = Copies.slot(c, k);
            if (d.state == DriveState.FAILED) {
                d.release(s); // its whole checksum area is zeroed when it is replaced
            } else {
                d.pendingFree.add((int) s);
            }
        }
    }

    private void openDrives() throws IOException {
        Set<Path> configured = new HashSet<>(config.drives());
        Set<Path> members = new HashSet<>();
        for (Drive d : drives) {
            members.add(d.path);
        }
        for (Drive d : drives) {
            if (d.state == DriveState.FAILED) {
                continue;
            }
            if (!configured.contains(d.path) && !config.spares().contains(d.path)) {
                throw new DriveIdentityException("drive " + driveName(d.index) + " at " + d.path
                        + " is part of page store " + storeId + " but not in the configuration");
            }
            try {
                d.file = DriveFile.open(d.path, d.index, d.id, storeId, pageSize, d.slots);
            } catch (DriveIdentityException e) {
                if (!config.openDegraded()) {
                    throw e;
                }
                log.error("{}; opening degraded", e.getMessage());
                failDrive(d.index, "at start: " + e.getMessage(), null);
            }
        }
        for (Path p : config.drives()) {
            if (members.contains(p)) {
                continue;
            }
            DriveHeader h = null;
            if (Files.exists(p)) {
                try {
                    h = DriveFile.probe(p);
                } catch (IllegalArgumentException e) {
                    throw new DriveIdentityException("drive at " + p + " is a Braid drive this version cannot"
                            + " read: " + e.getMessage());
                }
            }
            if (h != null && h.storeId().equals(storeId)) {
                log.warn("drive path {} held drive {} of this store, which was replaced; ignoring it", p,
                        h.driveId());
                continue;
            }
            addDrive(p);
        }
    }

    private void addDrive(Path p) throws IOException {
        int index = drives.length;
        refuseForeign(p, index);
        DriveFile f = DriveFile.format(p, config.createDriveBytes(), storeId, index, pageSize, 0);
        meta.lock();
        try {
            journal.append(new JournalRecord.DriveAdded(index, f.id(), p.toString(), f.slots()));
            Drive d = new Drive(index, f.id(), p, DriveState.ONLINE, "", f.slots());
            d.file = f;
            Drive[] ds = java.util.Arrays.copyOf(drives, index + 1);
            ds[index] = d;
            drives = ds;
        } finally {
            meta.unlock();
        }
        journal.syncAll();
        log.info("added drive {} at {} to page store {}", driveName(index), p, storeId);
    }

    /** docs/storage.md "Recovery": re-zero pending slots, reconcile dirty pages, mark all clean. */
    private void recover() throws IOException {
        long pending = 0;
        for (Drive d : drives) {
            DriveFile f = d.writable();
            if (f == null) {
                continue;
            }
            for (int s : d.pendingFree) {
                try {
                    f.zeroWords(s);
                    pending++;
                } catch (IOException e) {
                    driveError(d, f, e);
                }
            }
            d.unsynced = true;
        }
        syncAllDrives();
        long pages = 0;
        TaskStats stats = new TaskStats();
        Scratch s = Scratch.take();
        try {
            for (PageVolume v : volumes.values()) {
                for (int p = v.dirty.nextSetBit(0); p >= 0; p = v.dirty.nextSetBit(p + 1)) {
                    long c = v.table.copies(p);
                    if (c == Copies.NONE) {
                        continue;
                    }
                    for (int ch = 0; ch < chunksPerPage; ch++) {
                        reconcile(v, p, c, ch * chunkUnits, chunkUnits, Mode.LENIENT, s, stats);
                    }
                    pages++;
                }
            }
        } finally {
            Scratch.give(s);
        }
        syncAllDrives();
        for (PageVolume v : volumes.values()) {
            for (int p = v.dirty.nextSetBit(0); p >= 0; p = v.dirty.nextSetBit(p + 1)) {
                v.table.setTag(p, 0);
            }
            v.dirty.clear();
        }
        if (pending > 0 || pages > 0) {
            log.info("page store {} recovered: {} freed slot(s) blanked, {} dirty page(s) checked, {} unit(s)"
                    + " made consistent", storeId, pending, pages, stats.repaired);
        }
    }

    private void startBackground() {
        loadScrubTime();
        long ms = config.cleanInterval().toMillis();
        maintenance.scheduleWithFixedDelay(this::maintain, ms, ms, TimeUnit.MILLISECONDS);
        if (!config.scrubInterval().isZero()) {
            // Looked at once a minute (more often only for intervals shorter than that).
            long tick = Math.max(50, Math.min(60_000, config.scrubInterval().toMillis() / 4));
            maintenance.scheduleWithFixedDelay(() -> {
                try {
                    if (!closed) {
                        scheduleScrub();
                    }
                } catch (IOException | RuntimeException e) {
                    if (!closed) {
                        log.error("page store {}: the scheduled scrub did not start: {}", storeId, e.toString());
                    }
                }
            }, tick, tick, TimeUnit.MILLISECONDS);
        }
        for (Drive d : drives) {
            if (d.state == DriveState.REBUILDING && d.file != null) {
                startRebuild(d);
            }
        }
    }

    private void maintain() {
        if (closed) {
            return;
        }
        try {
            clean();
            if (journal.bytesSinceRotate() >= config.checkpointBytes()) {
                checkpoint();
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.error("page store maintenance failed: {}", e.toString(), e);
            }
        }
    }

    // ------------------------------------------------------------------ metadata images

    private Checkpoint.Image image(long lastSeq) {
        List<Checkpoint.DriveImage> ds = new ArrayList<>();
        List<Long> pending = new ArrayList<>();
        for (Drive d : drives) {
            ds.add(new Checkpoint.DriveImage(d.index, d.id, d.path.toString(), d.state,
                    d.cause == null ? "" : d.cause, d.slots));
            for (int s : d.pendingFree) {
                pending.add((long) d.index << 32 | s);
            }
        }
        List<Checkpoint.VolumeImage> vs = new ArrayList<>();
        List<PageVolume> sorted = new ArrayList<>(volumes.values());
        sorted.sort(Comparator.comparingInt(v -> v.number));
        for (PageVolume v : sorted) {
            long n = v.allocatedPages;
            long[] pages = new long[(int) n];
            long[] copies = new long[(int) n];
            int i = 0;
            for (long p = 0; p < v.table.pages() && i < n; p++) {
                long c = v.table.copies(p);
                if (c != Copies.NONE) {
                    pages[i] = p;
                    copies[i++] = c;
                }
            }
            long[] dirty = v.dirty.stream().asLongStream().toArray();
            vs.add(new Checkpoint.VolumeImage(v.number, v.id, v.name, v.sizeBytes, v.createdMillis,
                    java.util.Arrays.copyOf(pages, i), java.util.Arrays.copyOf(copies, i), dirty));
        }
        return new Checkpoint.Image(storeId, lastSeq, pageSize, nextVolume, ds, vs,
                pending.stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * Writes the checkpoint to each metadata copy; one copy failing is logged (the next open
     * repairs it from the other), both failing is an error.
     */
    private void writeCheckpoint(Checkpoint.Image img, List<Path> dirs) throws IOException {
        IOException failure = null;
        int written = 0;
        for (Path d : dirs) {
            try {
                Checkpoint.write(d, img);
                written++;
            } catch (IOException e) {
                log.error("page store {}: writing the checkpoint into {} failed: {}", storeId, d, e.toString());
                failure = e;
            }
        }
        if (written == 0 && failure != null) {
            throw failure;
        }
    }

    /** Writes a checkpoint of everything so far and drops the journal segments it covers. */
    void checkpoint() throws IOException {
        Checkpoint.Image img;
        meta.lock();
        try {
            long seq = journal.rotate();
            img = image(seq);
        } finally {
            meta.unlock();
        }
        writeCheckpoint(img, journal.liveDirs());
        journal.deleteOldSegments();
        log.debug("page store {}: checkpoint at record {}", storeId, img.lastSeq());
    }

    /**
     * Full write epochs a dirty page must go unwritten before the cleaner marks it clean. Two, so
     * that a volume rewritten in a cycle of up to two clean intervals (a sequential stream over it,
     * a benchmark sweeping it) is never cleaned and re-marked at every pass: each re-mark costs a
     * journal sync, and the clean's drive sync keeps the disk busy just then (docs/storage.md,
     * invariant D).
     */
    static final int IDLE_EPOCHS = 2;

    /**
     * Invariant D: ends the current write epoch, then, when some dirty page has gone unwritten
     * for {@link #IDLE_EPOCHS} full epochs (or a freed slot waits for its blank words to be
     * durable), makes everything written so far durable and marks those pages clean. With nothing
     * to clean the drives are not synced: a sync would only queue the disk in front of the journal
     * syncs that writes to clean pages wait for.
     */
    void clean() throws IOException {
        int drained = gate.advanceAndDrain();
        int before = drained - IDLE_EPOCHS + 1; // tags below: not written in the last IDLE_EPOCHS epochs
        // Each volume's idle dirty pages with the tag they had: page << 32 | tag.
        Map<PageVolume, long[]> idle = new HashMap<>();
        boolean freedWaiting = false;
        meta.lock();
        try {
            for (Drive d : drives) {
                freedWaiting |= !d.pendingFree.isEmpty();
            }
            for (PageVolume v : volumes.values()) {
                long[] found = new long[v.dirty.cardinality()];
                int n = 0;
                for (int p = v.dirty.nextSetBit(0); p >= 0; p = v.dirty.nextSetBit(p + 1)) {
                    int t = v.table.tag(p);
                    if (t > 0 && t < before) {
                        found[n++] = (long) p << 32 | t;
                    }
                }
                if (n > 0) {
                    idle.put(v, java.util.Arrays.copyOf(found, n));
                }
            }
        } finally {
            meta.unlock();
        }
        if (idle.isEmpty() && !freedWaiting) {
            return;
        }
        long start = System.nanoTime();
        syncAllDrives();
        long synced = System.nanoTime();
        int total = 0;
        meta.lock();
        try {
            for (Map.Entry<PageVolume, long[]> en : idle.entrySet()) {
                PageVolume v = en.getKey();
                List<Long> cleaned = new ArrayList<>();
                for (long pt : en.getValue()) {
                    int p = (int) (pt >>> 32);
                    if (v.table.casTag(p, (int) pt, 0)) { // a write since the scan moved the tag on
                        cleaned.add((long) p);
                    }
                }
                for (int i = 0; i < cleaned.size(); i += JournalRecord.MAX_PAGES) {
                    List<Long> part = cleaned.subList(i, Math.min(cleaned.size(), i + JournalRecord.MAX_PAGES));
                    journal.append(new JournalRecord.PagesClean(v.number,
                            part.stream().mapToLong(Long::longValue).toArray()));
                }
                for (long p : cleaned) {
                    v.dirty.clear((int) p);
                }
                total += cleaned.size();
            }
        } finally {
            meta.unlock();
        }
        log.debug("page store {}: clean synced the drives in {} ms and marked {} page(s) clean", storeId,
                (synced - start) / 1_000_000, total);
    }

    // ------------------------------------------------------------------ volumes

    long pagesFor(long sizeBytes) {
        return (sizeBytes + pageSize - 1) / pageSize;
    }

    /**
     * Creates a volume with no storage yet (every block reads as zeroes).
     *
     * @throws IllegalArgumentException for a size that is not a positive multiple of 512, or an
     *                                  id or name already in use
     */
    public PageVolume createVolume(UUID id, String name, long sizeBytes) throws IOException {
        checkOpen();
        checkSize(sizeBytes);
        if (name == null || name.isEmpty() || name.length() > 255) {
            throw new IllegalArgumentException("volume name must be 1-255 characters");
        }
        PageVolume v;
        long seq;
        meta.lock();
        try {
            if (volumes.containsKey(id)) {
                throw new IllegalArgumentException("volume " + id + " already exists");
            }
            for (PageVolume o : volumes.values()) {
                if (o.name.equals(name)) {
                    throw new IllegalArgumentException("a volume named " + name + " already exists");
                }
            }
            int number = nextVolume++;
            long now = System.currentTimeMillis();
            seq = journal.append(new JournalRecord.VolumeCreated(number, id, name, sizeBytes, now));
            v = new PageVolume(this, number, id, name, sizeBytes, now);
            volumes.put(id, v);
            byNumber.put(number, v);
        } finally {
            meta.unlock();
        }
        journal.sync(seq);
        log.info("page store: created volume {} ({}, {} bytes)", name, id, sizeBytes);
        return v;
    }

    private static void checkSize(long sizeBytes) {
        if (sizeBytes <= 0 || sizeBytes % PageVolume.BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("volume size " + sizeBytes + " bytes is not a positive multiple of "
                    + PageVolume.BLOCK_SIZE);
        }
    }

    public Optional<PageVolume> volume(UUID id) {
        return Optional.ofNullable(volumes.get(id));
    }

    /** The volumes, by name. */
    public List<PageVolume> volumes() {
        List<PageVolume> out = new ArrayList<>(volumes.values());
        out.sort(Comparator.comparing(PageVolume::name));
        return out;
    }

    /**
     * Grows a volume online; the new blocks read as zeroes.
     *
     * @throws IllegalArgumentException when {@code newSizeBytes} is smaller (shrinking is refused)
     *                                  or not a multiple of 512
     */
    public void resize(PageVolume v, long newSizeBytes) throws IOException {
        v.checkUsable();
        checkSize(newSizeBytes);
        long seq;
        meta.lock();
        try {
            long old = v.sizeBytes;
            if (newSizeBytes < old) {
                throw new IllegalArgumentException("volume " + v.name + " has " + old + " bytes; shrinking to "
                        + newSizeBytes + " is not supported");
            }
            if (newSizeBytes == old) {
                return;
            }
            seq = journal.append(new JournalRecord.VolumeResized(v.number, newSizeBytes));
            v.table.grow(pagesFor(newSizeBytes));
            v.sizeBytes = newSizeBytes;
        } finally {
            meta.unlock();
        }
        journal.sync(seq);
        log.info("page store: volume {} grown to {} bytes", v.name, newSizeBytes);
    }

    /** Deletes a volume and frees all its pages; in-flight writes to it finish first. */
    public void deleteVolume(PageVolume v) throws IOException {
        checkOpen();
        if (v.store != this || volumes.get(v.id) != v) {
            throw new IllegalArgumentException("volume " + v.name + " is not in this store");
        }
        v.deleted = true;
        gate.advanceAndDrain();
        List<Long> freed = new ArrayList<>();
        long seq;
        meta.lock();
        try {
            for (long p = 0; p < v.table.pages(); p++) {
                long c = v.table.copies(p);
                if (c != Copies.NONE) {
                    v.table.setCopies(p, Copies.NONE);
                    v.table.setTag(p, 0);
                    account(v, c, -1);
                    freed.add(c);
                }
            }
            v.dirty.clear();
            seq = journal.append(new JournalRecord.VolumeDeleted(v.number));
            volumes.remove(v.id);
            byNumber.remove(v.number);
        } finally {
            meta.unlock();
        }
        for (long c : freed) {
            zeroWordsOf(c);
        }
        meta.lock();
        try {
            for (long c : freed) {
                pend(c);
            }
        } finally {
            meta.unlock();
        }
        journal.sync(seq);
        log.info("page store: deleted volume {} ({} pages freed)", v.name, freed.size());
    }

    private void zeroWordsOf(long c) throws IOException {
        for (int k = 0; k < 2; k++) {
            Drive d = drives[Copies.drive(c, k)];
            DriveFile f = d.writable();
            if (f != null) {
                try {
                    f.zeroWords(Copies.slot(c, k));
                    d.unsynced = true;
                } catch (IOException e) {
                    driveError(d, f, e);
                }
            }
        }
    }

    long allocatedOn(PageVolume v, int drive) {
        if (drive < 0 || drive >= PageStoreConfig.MAX_DRIVES) {
            return 0;
        }
        meta.lock();
        try {
            return v.pagesOnDrive[drive] * pageSize;
        } finally {
            meta.unlock();
        }
    }

    private void account(PageVolume v, long c, int delta) {
        v.allocatedPages += delta;
        v.pagesOnDrive[Copies.drive(c, 0)] += delta;
        v.pagesOnDrive[Copies.drive(c, 1)] += delta;
    }

    // ------------------------------------------------------------------ read path

    void read(PageVolume v, long offset, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        v.checkRange(offset, len);
        v.checkUsable();
        int base = dst.position();
        int mine = len;
        FutureTask<Void> other = null;
        if (len >= 2 * Assist.MIN_BYTES) {
            // A large read verifies its second half on an idle core: copying out of the page cache
            // and the CRC over every byte are CPU work that two cores share (Assist).
            int half = (int) (((offset + len / 2) & -UNIT) - offset);
            other = Assist.offer(() -> {
                readRange(v, offset + half, dst, base + half, len - half);
                return null;
            });
            if (other != null) {
                mine = half;
            }
        }
        try {
            readRange(v, offset, dst, base, mine);
        } finally {
            if (other != null) {
                Assist.await(other); // dst is the caller's: the helper must be done with it
            }
        }
        if (other != null) {
            Assist.join(other);
        }
        dst.position(base + len);
    }

    /** Reads {@code len} bytes at {@code offset} into {@code dst[at..]} (absolute, dst untouched). */
    private void readRange(PageVolume v, long offset, ByteBuffer dst, int at, int len) throws IOException {
        int done = 0;
        while (done < len) {
            long pos = offset + done;
            long p = pos / pageSize;
            int inPage = (int) (pos % pageSize);
            int n = Math.min(len - done, pageSize - inPage);
            readSegment(v, p, inPage, dst, at + done, n);
            done += n;
        }
    }

    private void readSegment(PageVolume v, long p, int inPage, ByteBuffer dst, int at, int n) throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            long c = v.table.copies(p);
            if (c == Copies.NONE) {
                zero(dst, at, n);
                return;
            }
            // The page is re-checked after reading: if it was freed (or its volume deleted) and its
            // slots reused meanwhile, what was read may belong to someone else; read again.
            if (readPage(v, p, c, inPage, dst, at, n) && v.table.copies(p) == c) {
                return;
            }
            if (v.deleted) {
                throw new IOException("volume " + v.name + " was deleted");
            }
        }
        throw new IOException("volume " + v.name + " page " + p + " kept changing while being read");
    }

    /** Reads part of an allocated page; false when the page changed and the read must start over. */
    private boolean readPage(PageVolume v, long p, long c, int inPage, ByteBuffer dst, int at, int n)
            throws IOException {
        Drive[] ds = drives;
        int k = (int) (p & 1); // alternate which copy serves reads, page by page
        Drive d = ds[Copies.drive(c, k)];
        Drive e = ds[Copies.drive(c, 1 - k)];
        DriveFile f = d.readable();
        DriveFile g = e.readable();
        long sf = Copies.slot(c, k);
        long sg = Copies.slot(c, 1 - k);
        if (f == null) {
            d = e;
            f = g;
            sf = sg;
            g = null;
        }
        if (f == null) {
            throw noReadableCopy(v, p, c);
        }
        int end = inPage + n;
        int off = inPage;
        int o = at;
        CRC32C crc = null;
        ByteBuffer view = null;
        try {
            while (off < end) {
                int uo = off % UNIT;
                int take = Math.min(UNIT - uo, end - off);
                int u = off / UNIT;
                if (uo != 0 || take != UNIT) {
                    if (!readPartialUnit(v, p, c, u, f, sf, g, sg, dst, o, uo, take)) {
                        return false;
                    }
                    off += take;
                    o += take;
                    continue;
                }
                int w = f.word(sf, u);
                if (g != null && g.word(sg, u) != w) {
                    if (!slowUnit(v, p, c, u, dst, o, 0, UNIT)) {
                        return false;
                    }
                    off += UNIT;
                    o += UNIT;
                    continue;
                }
                if (w == 0) {
                    zero(dst, o, UNIT);
                    off += UNIT;
                    o += UNIT;
                    continue;
                }
                int run = 1;
                while (run < MAX_RUN_UNITS && off + (run + 1) * UNIT <= end) {
                    int w2 = f.word(sf, u + run);
                    if (w2 == 0 || (g != null && g.word(sg, u + run) != w2)) {
                        break;
                    }
                    run++;
                }
                if (view == null) {
                    view = dst.duplicate();
                    crc = new CRC32C();
                }
                view.limit(o + run * UNIT).position(o);
                f.read(sf, off, view);
                for (int i = 0; i < run; i++) {
                    int at2 = o + i * UNIT;
                    view.limit(at2 + UNIT).position(at2);
                    crc.reset();
                    crc.update(view);
                    if (((int) crc.getValue() | 1) != f.word(sf, u + i)) {
                        if (!slowUnit(v, p, c, u + i, dst, at2, 0, UNIT)) {
                            return false;
                        }
                    }
                }
                off += run * UNIT;
                o += run * UNIT;
            }
            return true;
        } catch (DriveIOException ex) {
            driveError(ex);
            return false; // read again: the failed drive is out, the other copy serves
        }
    }

    private boolean readPartialUnit(PageVolume v, long p, long c, int u, DriveFile f, long sf, DriveFile g,
                                    long sg, ByteBuffer dst, int o, int uo, int take) throws IOException {
        int w = f.word(sf, u);
        if (g != null && g.word(sg, u) != w) {
            return slowUnit(v, p, c, u, dst, o, uo, take);
        }
        if (w == 0) {
            zero(dst, o, take);
            return true;
        }
        Scratch s = Scratch.take();
        try {
            ByteBuffer ub = s.units(0, 0, 1);
            f.read(sf, (long) u * UNIT, ub);
            if (checksum(s.a, 0) != w) {
                return slowUnit(v, p, c, u, dst, o, uo, take);
            }
            dst.put(o, s.a, uo, take);
            return true;
        } finally {
            Scratch.give(s);
        }
    }

    /** The careful path for one unit: under its stripe lock, check both copies and repair. */
    private boolean slowUnit(PageVolume v, long p, long c, int u, ByteBuffer dst, int o, int uo, int take)
            throws IOException {
        ReentrantLock l = stripes.one(v.number, p, u / chunkUnits);
        l.lock();
        try {
            if (v.table.copies(p) != c) {
                return false;
            }
            Scratch s = Scratch.take();
            try {
                reconcile(v, p, c, u, 1, Mode.STRICT, s, null);
                dst.put(o, s.a, uo, take);
                return true;
            } finally {
                Scratch.give(s);
            }
        } finally {
            l.unlock();
        }
    }

    /**
     * Reads one copy's checksum words for units {@code u0..u0+n-1} into {@code words} and, when
     * any of them was ever written (a non-zero word), their data into {@code s}'s buffer
     * {@code copy}.
     */
    private static void loadCopy(DriveFile f, long slot, int u0, int n, int[] words, Scratch s, int copy)
            throws IOException {
        boolean written = false;
        for (int i = 0; i < n; i++) {
            words[i] = f.word(slot, u0 + i);
            written |= words[i] != 0;
        }
        if (written) {
            f.read(slot, (long) u0 * UNIT, s.units(copy, 0, n));
        }
    }

    /**
     * Checks units {@code u0..u0+n-1} of a page on both copies, repairs the copy that is wrong, and
     * leaves the good data in {@code s.a} (zeroes for unwritten units). Call with the chunk's
     * stripe lock held (or before the store serves I/O).
     *
     * @param stats null on the read path: a unit with no good copy then throws; otherwise it is
     *              counted and skipped
     */
    void reconcile(PageVolume v, long p, long c, int u0, int n, Mode mode, Scratch s, TaskStats stats)
            throws IOException {
        Drive[] ds = drives;
        Drive d0 = ds[Copies.drive(c, 0)];
        Drive d1 = ds[Copies.drive(c, 1)];
        DriveFile f0 = d0.readable();
        DriveFile f1 = d1.readable();
        long s0 = Copies.slot(c, 0);
        long s1 = Copies.slot(c, 1);
        try {
            if (f0 != null) {
                loadCopy(f0, s0, u0, n, s.wa, s, 0);
            }
        } catch (IOException e) {
            driveError(d0, f0, e);
            f0 = null;
        }
        try {
            if (f1 != null) {
                loadCopy(f1, s1, u0, n, s.wb, s, 1);
            }
        } catch (IOException e) {
            driveError(d1, f1, e);
            f1 = null;
        }
        if (f0 == null && f1 == null) {
            if (stats == null) {
                throw noReadableCopy(v, p, c);
            }
            stats.unrecoverable += n;
            return;
        }
        boolean both = f0 != null && f1 != null;
        for (int i = 0; i < n; i++) {
            int w0 = f0 != null ? s.wa[i] : 0;
            int w1 = f1 != null ? s.wb[i] : 0;
            boolean ok0 = f0 != null && (w0 == 0 || checksum(s.a, i * UNIT) == w0);
            boolean ok1 = f1 != null && (w1 == 0 || checksum(s.b, i * UNIT) == w1);
            if (stats != null) {
                stats.units++;
            }
            int win;
            if (mode == Mode.STRICT) {
                if (both && ok0 && ok1 && w0 == w1) {
                    win = 0;
                } else if (ok0 && (w0 != 0 || !both)) {
                    win = 0;
                } else if (ok1 && (w1 != 0 || !both)) {
                    win = 1;
                } else {
                    if (stats == null) {
                        throw new IOException("unrecoverable read error: volume " + v.name + " page " + p
                                + " unit " + (u0 + i) + ": no copy matches its checksum ("
                                + Copies.toString(c) + ")");
                    }
                    stats.unrecoverable++;
                    log.error("volume {} page {} unit {}: no copy matches its checksum ({})", v.name, p, u0 + i,
                            Copies.toString(c));
                    continue;
                }
            } else if (ok0) {
                win = 0;
            } else if (ok1) {
                win = 1;
            } else {
                // A write torn by the crash: copy 0 as it is (each sector old or new) wins.
                win = f0 != null ? 0 : 1;
                DriveFile wf = win == 0 ? f0 : f1;
                int w = checksum(win == 0 ? s.a : s.b, i * UNIT);
                try {
                    wf.setWord(win == 0 ? s0 : s1, u0 + i, w);
                    (win == 0 ? d0 : d1).unsynced = true;
                } catch (IOException e) {
                    driveError(win == 0 ? d0 : d1, wf, e);
                }
                if (win == 0) {
                    s.wa[i] = w;
                    ok0 = true;
                    w0 = w;
                } else {
                    s.wb[i] = w;
                    ok1 = true;
                    w1 = w;
                }
                if (stats != null) {
                    stats.repaired++;
                }
            }
            int ww = win == 0 ? w0 : w1;
            if (ww == 0) {
                s.a.put(i * UNIT, ZEROS, 0, UNIT);
            } else if (win == 1) {
                s.a.put(i * UNIT, s.b, i * UNIT, UNIT);
            }
            int lose = 1 - win;
            DriveFile lf = lose == 0 ? f0 : f1;
            int wl = lose == 0 ? w0 : w1;
            boolean okl = lose == 0 ? ok0 : ok1;
            if (lf != null && (wl != ww || !okl)) {
                Drive ld = lose == 0 ? d0 : d1;
                long ls = lose == 0 ? s0 : s1;
                try {
                    if (ww != 0) {
                        lf.write(ls, (long) (u0 + i) * UNIT, s.units(0, i, 1));
                    }
                    lf.setWord(ls, u0 + i, ww);
                    ld.unsynced = true;
                    repairs.incrementAndGet();
                    if (stats != null) {
                        stats.repaired++;
                    }
                    if (mode == Mode.STRICT) {
                        log.warn("volume {} page {} unit {}: copy on {} was bad, rewritten from {}", v.name, p,
                                u0 + i, driveName(ld.index), driveName((lose == 0 ? d1 : d0).index));
                    }
                } catch (IOException e) {
                    driveError(ld, lf, e);
                }
            }
        }
    }

    private IOException noReadableCopy(PageVolume v, long p, long c) {
        return new IOException("volume " + v.name + " page " + p + " has no readable copy (" + Copies.toString(c)
                + ", drives " + drives[Copies.drive(c, 0)].state + "/" + drives[Copies.drive(c, 1)].state + ")");
    }

    /** CRC32C of one unit with bit 0 forced to 1 (docs/storage.md "Drive"). */
    static int checksum(ByteBuffer buf, int at) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().limit(at + UNIT).position(at));
        return (int) crc.getValue() | 1;
    }

    private static void zero(ByteBuffer dst, int at, int n) {
        for (int done = 0; done < n; ) {
            int k = Math.min(ZEROS.length, n - done);
            dst.put(at + done, ZEROS, 0, k);
            done += k;
        }
    }

    // ------------------------------------------------------------------ write path

    void write(PageVolume v, long offset, ByteBuffer src, boolean fua) throws IOException {
        int len = src.remaining();
        v.checkRange(offset, len);
        if (len == 0) {
            if (fua) {
                flush();
            }
            return;
        }
        long[] touched = fua ? new long[4] : null;
        int e = gate.enter();
        try {
            v.checkUsable();
            long first = offset / pageSize;
            long last = (offset + len - 1) / pageSize;
            // Every page the write needs gets storage before any data is written, so that running
            // out of space stores nothing (SpaceExhaustedException's promise).
            for (long p = first; p <= last; p++) {
                if (v.table.copies(p) == Copies.NONE) {
                    allocate(v, p, last, e);
                    break;
                }
            }
            int base = src.position();
            int done = 0;
            while (done < len) {
                long pos = offset + done;
                long p = pos / pageSize;
                int inPage = (int) (pos % pageSize);
                int n = Math.min(len - done, pageSize - inPage);
                writeSegment(v, p, inPage, src, base + done, n, e, touched);
                done += n;
            }
            src.position(base + len);
        } finally {
            gate.exit(e);
        }
        if (fua) {
            for (Drive d : drives) {
                if ((touched[d.index >>> 6] & (1L << (d.index & 63))) != 0) {
                    syncDrive(d);
                }
            }
        }
    }

    /**
     * Whether a write without FUA of these bytes, made now, would only copy them into the page
     * cache ({@link io.braid.store.BlockDevice#writeStaysInMemory}): whole checksum units (no old
     * data to read and merge), less than {@link Assist#MIN_BYTES} (no hand-over to another core),
     * every page with storage (no allocation) and dirty on stable storage (no journal record, no
     * sync: invariant D; a tag of an earlier epoch is moved on without either, {@link
     * #ensureReady}). The stripe locks are not asked: a scrub or rebuild holds one for a chunk's
     * I/O at most, and the caller watches for a slow write anyway.
     */
    boolean writeStaysInMemory(PageVolume v, long offset, long length) {
        if (length <= 0 || length >= Assist.MIN_BYTES || offset % UNIT != 0 || length % UNIT != 0
                || offset < 0 || offset > v.sizeBytes - length || v.deleted) {
            return false;
        }
        for (long p = offset / pageSize, last = (offset + length - 1) / pageSize; p <= last; p++) {
            if (v.table.copies(p) == Copies.NONE || v.table.tag(p) <= 0) {
                return false;
            }
        }
        return true;
    }

    /** The sequence number of the last journal record appended. */
    long journalSeq() {
        return journal.lastSeq();
    }

    /** Pages a sequential write marks dirty with one journal sync (see {@link #markDirty}). */
    static final int MARK_AHEAD = 8;

    /**
     * The page's copies, once the page has storage and is known dirty on stable storage with a tag
     * of at least this write's epoch (invariants A and D).
     */
    private long ensureReady(PageVolume v, long p, int e) throws IOException {
        while (true) {
            long c = v.table.copies(p);
            if (c == Copies.NONE) {
                allocate(v, p, p, e);
                continue;
            }
            int t = v.table.tag(p);
            if (t >= e) {
                return c;
            }
            if (t > 0) {
                if (v.table.casTag(p, t, e)) {
                    return c;
                }
                continue;
            }
            if (t == PageTable.PENDING) {
                // Its record was appended before the tag was set; one sync covers it.
                journal.syncAll();
                if (v.table.casTag(p, PageTable.PENDING, e)) {
                    return c;
                }
                continue;
            }
            markDirty(v, p, e);
        }
    }

    /**
     * Makes page {@code p} dirty on stable storage (invariant D): one journal record and one sync.
     * A write that follows on from the page before (that page is dirty: a sequential stream) marks
     * up to {@link #MARK_AHEAD} clean pages after it in the same record, so a stream pays one
     * sync per {@code MARK_AHEAD} pages instead of one per page, while random writes mark only
     * their own page. The cost is a few more pages for recovery to check after a crash.
     */
    private void markDirty(PageVolume v, long p, int e) throws IOException {
        long seq;
        long[] marked;
        meta.lock();
        try {
            if (v.table.tag(p) != 0 || v.table.copies(p) == Copies.NONE) {
                return;
            }
            int n = 1;
            if (p > 0 && v.table.tag(p - 1) != 0) {
                while (n < MARK_AHEAD && p + n < v.table.pages() && v.table.tag(p + n) == 0
                        && v.table.copies(p + n) != Copies.NONE) {
                    n++;
                }
            }
            marked = new long[n];
            for (int i = 0; i < n; i++) {
                marked[i] = p + i;
            }
            seq = journal.append(new JournalRecord.PagesDirty(v.number, marked));
            for (long q : marked) {
                v.table.setTag(q, PageTable.PENDING);
                v.dirty.set((int) q);
            }
        } finally {
            meta.unlock();
        }
        journal.sync(seq);
        for (long q : marked) {
            v.table.casTag(q, PageTable.PENDING, e);
        }
    }

    /**
     * Pages ahead of a sequential stream at which the next clean pages are marked dirty in the
     * background ({@link #markAheadOf}).
     */
    static final int MARK_AHEAD_DISTANCE = MARK_AHEAD / 2;

    /**
     * Marks the pages a sequential stream is about to reach dirty before it gets there. A write to
     * page {@code p} whose page before is dirty (a stream, as in {@link #markDirty}) and which finds
     * a clean page with storage within {@link #MARK_AHEAD_DISTANCE} pages after it starts a
     * background mark of up to {@link #MARK_AHEAD} clean pages from there, one at a time per
     * volume. Otherwise every {@code MARK_AHEAD} pages the stream's writes (a whole queue of them,
     * all in one page) would wait for the journal sync, which takes the longest just when the disk
     * is busy writing the stream's data back. Costs two table reads per write; a mark the stream
     * does not need is cleaned again after {@link #IDLE_EPOCHS}.
     */
    private void markAheadOf(PageVolume v, long p) {
        long last = Math.min(p + MARK_AHEAD_DISTANCE, v.table.pages() - 1);
        if (last <= p || p == 0 || v.table.tag(last) != 0 || v.table.tag(p - 1) == 0
                || v.table.copies(last) == Copies.NONE || !v.markingAhead.compareAndSet(false, true)) {
            return;
        }
        try {
            marker.execute(() -> {
                try {
                    for (long q = p + 1; q <= last && !closed; q++) {
                        if (v.table.tag(q) == 0) {
                            markDirty(v, q, gate.epoch());
                            break;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    if (!closed) {
                        log.warn("page store {}: marking pages of volume {} dirty ahead of a stream failed"
                                + " (its writes mark them themselves): {}", storeId, v.name, e.toString());
                    }
                } finally {
                    v.markingAhead.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            v.markingAhead.set(false); // closing
        }
    }

    /** Gives storage to the pages {@code from..to} that have none, durably (invariant A). */
    private void allocate(PageVolume v, long from, long to, int e) throws IOException {
        for (int attempt = 0; ; attempt++) {
            long seq = -1;
            List<Long> mine = new ArrayList<>();
            boolean exhausted = false;
            boolean pendingExists = false;
            meta.lock();
            try {
                for (long p = from; p <= to; p++) {
                    if (v.table.copies(p) != Copies.NONE) {
                        continue;
                    }
                    long c = pickCopies();
                    if (c == Copies.NONE) {
                        exhausted = true;
                        for (Drive d : drives) {
                            pendingExists |= !d.pendingFree.isEmpty();
                        }
                        break;
                    }
                    seq = journal.append(new JournalRecord.PageAllocated(v.number, p, c));
                    account(v, c, 1);
                    v.dirty.set((int) p);
                    v.table.setTag(p, PageTable.PENDING);
                    v.table.setCopies(p, c);
                    mine.add(p);
                }
            } finally {
                meta.unlock();
            }
            if (seq >= 0) {
                journal.sync(seq);
                for (long p : mine) {
                    v.table.casTag(p, PageTable.PENDING, e);
                }
            }
            if (!exhausted) {
                return;
            }
            if (pendingExists && attempt == 0) {
                syncAllDrives(); // freed slots become usable once their blank words are durable
                continue;
            }
            throw new SpaceExhaustedException("page store " + storeId + " has no free page for volume "
                    + v.name + " (" + usedBytes() + " of " + capacityBytes() + " bytes of drive space in use)");
        }
    }

    /** Two slots on two different drives, preferring drives that take writes; NONE when full. */
    private long pickCopies() {
        Drive[] ds = drives;
        int a = best(ds, -1, true);
        if (a < 0) {
            a = best(ds, -1, false);
        }
        int b = a < 0 ? -1 : best(ds, a, true);
        if (a >= 0 && b < 0) {
            b = best(ds, a, false);
        }
        if (a < 0 || b < 0) {
            return Copies.NONE;
        }
        allocRotor++;
        return Copies.of(a, ds[a].take(), b, ds[b].take());
    }

    private int best(Drive[] ds, int exclude, boolean writableOnly) {
        int best = -1;
        long bestFree = 0;
        for (int i = 0; i < ds.length; i++) {
            int j = (i + allocRotor) % ds.length;
            Drive d = ds[j];
            if (j == exclude || (writableOnly && !d.state.writable())) {
                continue;
            }
            long free = d.freeSlots();
            if (free > bestFree) {
                best = j;
                bestFree = free;
            }
        }
        return best;
    }

    private void writeSegment(PageVolume v, long p, int inPage, ByteBuffer src, int at, int n, int e,
                              long[] touched) throws IOException {
        int end = inPage + n;
        int u0 = inPage / UNIT;
        int u1 = (end - 1) / UNIT;
        boolean headPartial = inPage % UNIT != 0 || (u0 == u1 && end % UNIT != 0);
        boolean tailPartial = u1 != u0 && end % UNIT != 0;
        int c0 = u0 / chunkUnits;
        int c1 = u1 / chunkUnits;
        while (true) {
            long c = ensureReady(v, p, e);
            markAheadOf(v, p);
            // One chunk (every I/O of up to 256 KiB that does not cross a chunk): one stripe, no array.
            ReentrantLock one = c0 == c1 ? stripes.one(v.number, p, c0) : null;
            int[] held = null;
            if (one != null) {
                one.lock();
            } else {
                held = stripes.lock(v.number, p, c0, c1);
            }
            Scratch s = null;
            try {
                if (v.table.copies(p) != c) {
                    continue; // freed meanwhile: get storage again
                }
                if (headPartial || tailPartial) {
                    s = Scratch.take();
                    // Units 1 and 2 of s.a hold the merged head and tail units; reconcile uses unit 0.
                    if (headPartial) {
                        reconcile(v, p, c, u0, 1, Mode.STRICT, s, null);
                        s.a.put(UNIT, s.a, 0, UNIT);
                        int uo = inPage % UNIT;
                        s.a.put(UNIT + uo, src, at, Math.min(n, UNIT - uo));
                    }
                    if (tailPartial) {
                        reconcile(v, p, c, u1, 1, Mode.STRICT, s, null);
                        s.a.put(2 * UNIT, s.a, 0, UNIT);
                        int tl = end % UNIT;
                        s.a.put(2 * UNIT, src, at + (u1 * UNIT - inPage), tl);
                    }
                }
                Drive[] ds = drives;
                Scratch sc = s;
                // A large write hands copy 1 to an idle core and computes the checksum words while
                // both copies are being written; a small one writes them in turn (a hand-over costs
                // more than a 4 KiB pwrite into the page cache).
                FutureTask<Boolean> other = n >= Assist.MIN_BYTES
                        ? Assist.offer(() -> writeCopy(v, p, c, 1, ds, u0, u1, headPartial, tailPartial, sc, src,
                        at, inPage))
                        : null;
                boolean written0;
                int[] words = null;
                try {
                    written0 = writeCopy(v, p, c, 0, ds, u0, u1, headPartial, tailPartial, s, src, at, inPage);
                    if (other != null) {
                        words = new int[u1 - u0 + 1];
                        CRC32C crc = new CRC32C();
                        ByteBuffer view = src.duplicate();
                        for (int u = u0; u <= u1; u++) {
                            words[u - u0] = unitWord(crc, view, s, u, u0, u1, headPartial, tailPartial, at, inPage);
                        }
                    }
                } finally {
                    if (other != null) {
                        Assist.await(other); // never leave the locks while the helper still writes
                    }
                }
                boolean written1 = other != null ? Assist.join(other)
                        : writeCopy(v, p, c, 1, ds, u0, u1, headPartial, tailPartial, s, src, at, inPage);
                if (!written0 && !written1) {
                    throw new IOException("volume " + v.name + " page " + p + ": neither copy could be written ("
                            + Copies.toString(c) + ", drives " + ds[Copies.drive(c, 0)].state + "/"
                            + ds[Copies.drive(c, 1)].state + ")");
                }
                // Words last: until they change, the old data stays authoritative (invariant W).
                setWords(c, ds, written0, written1, u0, u1, words, headPartial, tailPartial, s, src, at, inPage,
                        touched);
                return;
            } finally {
                if (one != null) {
                    one.unlock();
                } else {
                    stripes.unlock(held);
                }
                Scratch.give(s);
            }
        }
    }

    /** The checksum word of unit {@code u} of a write: from the merged edge units or from the source. */
    private static int unitWord(CRC32C crc, ByteBuffer view, Scratch s, int u, int u0, int u1, boolean headPartial,
                                boolean tailPartial, int at, int inPage) {
        ByteBuffer b;
        int from;
        if (u == u0 && headPartial) {
            b = s.a.duplicate();
            from = UNIT;
        } else if (u == u1 && tailPartial) {
            b = s.a.duplicate();
            from = 2 * UNIT;
        } else {
            b = view;
            from = at + (u * UNIT - inPage);
        }
        b.limit(from + UNIT).position(from);
        crc.reset();
        crc.update(b);
        return (int) crc.getValue() | 1;
    }

    private boolean writeCopy(PageVolume v, long p, long c, int k, Drive[] ds, int u0, int u1, boolean headPartial,
                              boolean tailPartial, Scratch s, ByteBuffer src, int at, int inPage) throws IOException {
        Drive d = ds[Copies.drive(c, k)];
        DriveFile f = d.writable();
        if (f == null) {
            return false;
        }
        long slot = Copies.slot(c, k);
        try {
            if (u0 == u1 && headPartial) {
                f.write(slot, (long) u0 * UNIT, s.units(0, 1, 1));
                return true;
            }
            int mid0 = u0;
            int mid1 = u1;
            if (headPartial) {
                f.write(slot, (long) u0 * UNIT, s.units(0, 1, 1));
                mid0++;
            }
            if (tailPartial) {
                mid1--;
            }
            if (mid1 >= mid0) {
                int from = at + (mid0 * UNIT - inPage);
                f.write(slot, (long) mid0 * UNIT, src.duplicate().limit(from + (mid1 - mid0 + 1) * UNIT).position(from));
            }
            if (tailPartial) {
                f.write(slot, (long) u1 * UNIT, s.units(0, 2, 1));
            }
            return true;
        } catch (IOException ex) {
            if (isNoSpace(ex)) {
                throw new SpaceExhaustedException("drive " + driveName(d.index) + " (" + d.path
                        + "): its file system is full; volume " + v.name + " page " + p + " was not written");
            }
            driveError(d, f, ex);
            return false;
        }
    }

    /**
     * Sets the checksum words of units {@code u0..u1} on the copies that were written, each word
     * computed once for both copies ({@code words} when already computed, else from the data).
     */
    private void setWords(long c, Drive[] ds, boolean written0, boolean written1, int u0, int u1, int[] words,
                          boolean headPartial, boolean tailPartial, Scratch s, ByteBuffer src, int at, int inPage,
                          long[] touched) throws IOException {
        Drive d0 = ds[Copies.drive(c, 0)];
        Drive d1 = ds[Copies.drive(c, 1)];
        DriveFile f0 = written0 ? d0.writable() : null;
        DriveFile f1 = written1 ? d1.writable() : null;
        long s0 = Copies.slot(c, 0);
        long s1 = Copies.slot(c, 1);
        CRC32C crc = words == null ? new CRC32C() : null;
        ByteBuffer view = words == null ? src.duplicate() : null;
        for (int u = u0; u <= u1 && (f0 != null || f1 != null); u++) {
            int w = words != null ? words[u - u0]
                    : unitWord(crc, view, s, u, u0, u1, headPartial, tailPartial, at, inPage);
            if (f0 != null) {
                try {
                    f0.setWord(s0, u, w);
                } catch (IOException ex) {
                    driveError(d0, f0, ex);
                    f0 = null;
                    written0 = false;
                }
            }
            if (f1 != null) {
                try {
                    f1.setWord(s1, u, w);
                } catch (IOException ex) {
                    driveError(d1, f1, ex);
                    f1 = null;
                    written1 = false;
                }
            }
        }
        if (written0 && f0 != null) {
            touch(d0, touched);
        }
        if (written1 && f1 != null) {
            touch(d1, touched);
        }
    }

    private static void touch(Drive d, long[] touched) {
        if (!d.unsynced) {
            d.unsynced = true; // a volatile store only when it changes: writers share the Drive
        }
        if (touched != null) {
            touched[d.index >>> 6] |= 1L << (d.index & 63);
        }
    }

    static boolean isNoSpace(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
    }

    // ------------------------------------------------------------------ unmap and provisioning

    void unmap(PageVolume v, long offset, long length) throws IOException {
        v.checkRange(offset, length);
        int e = gate.enter();
        try {
            v.checkUsable();
            long done = 0;
            while (done < length) {
                long pos = offset + done;
                long p = pos / pageSize;
                int inPage = (int) (pos % pageSize);
                int n = (int) Math.min(length - done, pageSize - inPage);
                long pageEnd = Math.min(pageSize, v.sizeBytes - p * pageSize);
                if (inPage == 0 && n >= pageEnd) {
                    freePage(v, p, false);
                } else {
                    unmapPart(v, p, inPage, n, e);
                }
                done += n;
            }
        } finally {
            gate.exit(e);
        }
    }

    private void unmapPart(PageVolume v, long p, int inPage, int n, int e) throws IOException {
        if (v.table.copies(p) == Copies.NONE) {
            return;
        }
        int end = inPage + n;
        int ua = (inPage + UNIT - 1) / UNIT;
        int ub = end / UNIT;
        ByteBuffer zeros = ByteBuffer.wrap(ZEROS).asReadOnlyBuffer();
        if (inPage % UNIT != 0) {
            writeZeros(v, p, inPage, Math.min(end, ua * UNIT), e, zeros);
        }
        if (end % UNIT != 0 && ub >= ua) {
            writeZeros(v, p, Math.max(inPage, ub * UNIT), end, e, zeros);
        }
        if (ua >= ub) {
            return;
        }
        int[] held = stripes.lock(v.number, p, ua / chunkUnits, (ub - 1) / chunkUnits);
        try {
            long c = v.table.copies(p);
            if (c == Copies.NONE) {
                return;
            }
            Drive[] ds = drives;
            for (int k = 0; k < 2; k++) {
                Drive d = ds[Copies.drive(c, k)];
                DriveFile f = d.writable();
                if (f == null) {
                    continue;
                }
                try {
                    for (int u = ua; u < ub; u++) {
                        f.setWord(Copies.slot(c, k), u, 0);
                    }
                    d.unsynced = true;
                } catch (IOException ex) {
                    driveError(d, f, ex);
                }
            }
        } finally {
            stripes.unlock(held);
        }
        freePage(v, p, true);
    }

    private void writeZeros(PageVolume v, long p, int from, int to, int e, ByteBuffer zeros) throws IOException {
        if (v.table.copies(p) != Copies.NONE && to > from) {
            writeSegment(v, p, from, zeros, 0, to - from, e, null);
        }
    }

    /** Frees a page's two slots (invariant Z); with {@code onlyIfEmpty} only when no unit is written. */
    private void freePage(PageVolume v, long p, boolean onlyIfEmpty) throws IOException {
        List<Object[]> failures = null;
        int[] held = stripes.lock(v.number, p, 0, chunksPerPage - 1);
        try {
            meta.lock();
            try {
                long c = v.table.copies(p);
                if (c == Copies.NONE || (onlyIfEmpty && !allUnwritten(c))) {
                    return;
                }
                journal.append(new JournalRecord.PageFreed(v.number, p));
                v.table.setCopies(p, Copies.NONE);
                v.table.setTag(p, 0);
                v.dirty.clear((int) p);
                account(v, c, -1);
                for (int k = 0; k < 2; k++) {
                    Drive d = drives[Copies.drive(c, k)];
                    long slot = Copies.slot(c, k);
                    DriveFile f = d.writable();
                    if (f == null) {
                        d.release(slot);
                        continue;
                    }
                    try {
                        f.zeroWords(slot);
                        d.pendingFree.add((int) slot);
                        d.unsynced = true;
                    } catch (IOException ex) {
                        d.release(slot);
                        if (failures == null) {
                            failures = new ArrayList<>();
                        }
                        failures.add(new Object[]{d, f, ex});
                    }
                }
            } finally {
                meta.unlock();
            }
        } finally {
            stripes.unlock(held);
        }
        if (failures != null) {
            for (Object[] fl : failures) {
                driveError((Drive) fl[0], (DriveFile) fl[1], (IOException) fl[2]);
            }
        }
    }

    private boolean allUnwritten(long c) throws IOException {
        for (int k = 0; k < 2; k++) {
            DriveFile f = drives[Copies.drive(c, k)].readable();
            if (f != null) {
                long slot = Copies.slot(c, k);
                for (int u = 0; u < unitsPerPage; u++) {
                    if (f.word(slot, u) != 0) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    BlockDevice.Extent provisioning(PageVolume v, long offset) throws IOException {
        long size = v.sizeBytes;
        v.checkRange(offset, 0);
        v.checkUsable();
        if (offset >= size) {
            return new BlockDevice.Extent(offset, 0, false);
        }
        boolean mapped = mapped(v, offset);
        long cur = (offset / UNIT + 1) * UNIT;
        long scanned = 0;
        while (cur < size && scanned < PROVISIONING_SCAN_UNITS) {
            long p = cur / pageSize;
            long c = v.table.copies(p);
            if (c == Copies.NONE) {
                if (mapped) {
                    break;
                }
                cur = (p + 1) * pageSize;
                scanned += unitsPerPage;
                continue;
            }
            if (mapped(c, (int) (cur % pageSize / UNIT)) != mapped) {
                break;
            }
            cur += UNIT;
            scanned++;
        }
        return new BlockDevice.Extent(offset, Math.min(cur, size) - offset, mapped);
    }

    private boolean mapped(PageVolume v, long offset) throws IOException {
        long c = v.table.copies(offset / pageSize);
        return c != Copies.NONE && mapped(c, (int) (offset % pageSize / UNIT));
    }

    /** A unit counts as mapped when written; a page with no readable copy counts as mapped. */
    private boolean mapped(long c, int unit) throws IOException {
        for (int k = 0; k < 2; k++) {
            DriveFile f = drives[Copies.drive(c, k)].readable();
            if (f != null) {
                return f.word(Copies.slot(c, k), unit) != 0;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ flush

    /**
     * SYNCHRONIZE CACHE for the whole store: {@code fdatasync} of every drive written since its
     * last sync, then the journal.
     */
    public void flush() throws IOException {
        checkOpen();
        syncAllDrives();
        journal.syncAll();
    }

    void syncAllDrives() throws IOException {
        for (Drive d : drives) {
            if (d.unsynced) {
                syncDrive(d);
            }
        }
    }

    private void syncDrive(Drive d) throws IOException {
        DriveFile f = d.writable();
        if (f == null) {
            return;
        }
        List<Integer> pending = List.of();
        meta.lock();
        try {
            if (!d.pendingFree.isEmpty()) {
                pending = d.pendingFree;
                d.pendingFree = new ArrayList<>();
            }
        } finally {
            meta.unlock();
        }
        d.unsynced = false;
        try {
            f.sync();
        } catch (IOException e) {
            d.unsynced = true;
            meta.lock();
            try {
                d.pendingFree.addAll(pending);
            } finally {
                meta.unlock();
            }
            driveError(d, f, e);
            return;
        }
        if (!pending.isEmpty()) {
            meta.lock();
            try {
                for (int s : pending) {
                    d.release(s);
                }
            } finally {
                meta.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ drives

    /** Every drive with its state, capacity, use and rebuild progress. */
    public List<DriveStatus> drives() {
        List<DriveStatus> out = new ArrayList<>();
        meta.lock();
        try {
            for (Drive d : drives) {
                double progress = switch (d.state) {
                    case ONLINE -> 1.0;
                    case FAILED -> 0.0;
                    case REBUILDING -> d.rebuild == null ? 0.0 : d.rebuild.progress().fraction();
                };
                out.add(new DriveStatus(d.index, d.id, d.path, d.state, d.cause == null ? "" : d.cause,
                        d.slots * pageSize, d.usedCount * pageSize, progress));
            }
        } finally {
            meta.unlock();
        }
        return out;
    }

    /** Drive space of all drives that are not FAILED. */
    public long capacityBytes() {
        long sum = 0;
        for (Drive d : drives) {
            if (d.state != DriveState.FAILED) {
                sum += d.slots * pageSize;
            }
        }
        return sum;
    }

    /** Drive space holding page copies. */
    public long usedBytes() {
        long sum = 0;
        for (Drive d : drives) {
            sum += d.usedCount * pageSize;
        }
        return sum;
    }

    public int pageSize() {
        return pageSize;
    }

    public UUID storeId() {
        return storeId;
    }

    /** Units rewritten from their mirror since the store opened (reads, scrub and recovery). */
    public long repairs() {
        return repairs.get();
    }

    public void addListener(DriveEventListener l) {
        listeners.add(l);
    }

    public void removeListener(DriveEventListener l) {
        listeners.remove(l);
    }

    private Drive checkDrive(int index) {
        Drive[] ds = drives;
        if (index < 0 || index >= ds.length) {
            throw new IllegalArgumentException("no drive " + driveName(index) + " (the store has d0.."
                    + driveName(ds.length - 1) + ")");
        }
        return ds[index];
    }

    /**
     * Fault injection: takes a drive out of service as if it had failed.
     *
     * @throws IllegalArgumentException for an unknown drive
     * @throws IllegalStateException    when it is already FAILED
     */
    public void fail(int drive) throws IOException {
        checkOpen();
        Drive d = checkDrive(drive);
        if (d.state == DriveState.FAILED) {
            throw new IllegalStateException("drive " + driveName(drive) + " is already FAILED");
        }
        failDrive(drive, "fault injection", null);
    }

    void driveError(DriveIOException e) throws IOException {
        Drive[] ds = drives;
        int i = e.index();
        if (i >= 0 && i < ds.length) {
            driveError(ds[i], e.file, e);
        } else {
            throw e;
        }
    }

    /** An I/O error of a drive: fails it, unless it is this thread's interrupt or the store closing. */
    void driveError(Drive d, DriveFile f, IOException e) throws IOException {
        if (e instanceof ClosedByInterruptException || closed) {
            throw e;
        }
        if (d.file != f || f == null) {
            return; // already failed (or replaced): the error is about the old file
        }
        failDrive(d.index, "I/O error: " + e, e);
    }

    void failDrive(int index, String cause, Throwable t) {
        Drive d = drives[index];
        DriveFile f;
        DriveEvent ev;
        meta.lock();
        try {
            if (!d.state.canMoveTo(DriveState.FAILED)) {
                return;
            }
            DriveState from = d.state;
            d.state = DriveState.FAILED;
            d.cause = cause;
            f = d.file;
            d.file = null;
            for (int s : d.pendingFree) {
                d.release(s);
            }
            d.pendingFree = new ArrayList<>();
            try {
                if (journal != null) {
                    journal.append(new JournalRecord.DriveStateChanged(index, DriveState.FAILED, cause));
                }
            } catch (IOException e) {
                log.error("could not record that drive {} failed: {}", driveName(index), e.toString());
            }
            ev = event(d, from, DriveState.FAILED, cause);
            RebuildTask r = d.rebuild;
            if (r != null) {
                r.cancel();
            }
        } finally {
            meta.unlock();
        }
        try {
            if (journal != null) {
                journal.syncAll();
            }
        } catch (IOException e) {
            log.error("could not record that drive {} failed: {}", driveName(index), e.toString());
        }
        if (f != null) {
            try {
                f.close();
            } catch (IOException e) {
                log.debug("closing failed drive {}: {}", driveName(index), e.toString());
            }
        }
        log.error("drive {} ({}) is FAILED: {}; affected volumes {}", driveName(index), d.path, cause,
                ev.affectedVolumes(), t);
        emit(ev);
    }

    /** Builds an event; call with the metadata lock held. */
    private DriveEvent event(Drive d, DriveState from, DriveState to, String cause) {
        List<String> affected = new ArrayList<>();
        for (PageVolume v : volumes.values()) {
            if (v.pagesOnDrive[d.index] > 0) {
                affected.add(v.name);
            }
        }
        affected.sort(null);
        return new DriveEvent(Instant.now(), d.index, d.id, d.path, from, to, cause, affected);
    }

    private void emit(DriveEvent ev) {
        try {
            events.execute(() -> {
                for (DriveEventListener l : listeners) {
                    try {
                        l.driveStateChanged(ev);
                    } catch (RuntimeException e) {
                        log.warn("drive event listener {} failed: {}", l, e.toString(), e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("store closing; drive event {} not delivered", ev);
        }
    }

    /**
     * Replaces a FAILED drive: swaps in the first configured spare that is not yet a member (and
     * has room for as many slots), or else reformats the drive at its own path; then starts the
     * rebuild that restores the second copy of every page on it.
     *
     * @throws IllegalStateException when the drive is not FAILED
     */
    public void replace(int drive) throws IOException {
        checkOpen();
        synchronized (replaceLock) {
            Drive d = checkDrive(drive);
            long slots;
            List<Path> candidates = new ArrayList<>();
            meta.lock();
            try {
                if (d.state != DriveState.FAILED) {
                    throw new IllegalStateException("drive " + driveName(drive) + " is " + d.state
                            + "; only a FAILED drive can be replaced");
                }
                slots = d.slots;
                Set<Path> members = new HashSet<>();
                for (Drive o : drives) {
                    members.add(o.path);
                }
                for (Path sp : config.spares()) {
                    if (!members.contains(sp)) {
                        candidates.add(sp);
                    }
                }
            } finally {
                meta.unlock();
            }
            // Writes that began before the drive failed may still hold its old file; let them end.
            gate.advanceAndDrain();
            DriveFile nf = null;
            IOException spareProblem = null;
            for (Path sp : candidates) {
                try {
                    refuseForeign(sp, drive);
                    DriveFile f = DriveFile.format(sp, config.createDriveBytes(), storeId, drive, pageSize, slots);
                    if (f.slots() < slots) {
                        wipeHeader(f);
                        spareProblem = new IOException("spare " + sp + " holds " + f.slots() + " pages, "
                                + driveName(drive) + " needs " + slots);
                        continue;
                    }
                    nf = f;
                    break;
                } catch (IOException e) {
                    spareProblem = e;
                    log.warn("spare {} cannot replace {}: {}", sp, driveName(drive), e.getMessage());
                }
            }
            if (nf == null) {
                if (!candidates.isEmpty()) {
                    log.warn("no usable spare for {} ({}); reformatting it in place", driveName(drive),
                            spareProblem == null ? "" : spareProblem.getMessage());
                }
                nf = DriveFile.format(d.path, config.createDriveBytes(), storeId, drive, pageSize, slots);
                if (nf.slots() < slots) {
                    long got = nf.slots();
                    wipeHeader(nf);
                    throw new IOException("drive " + driveName(drive) + " at " + d.path + " now holds " + got
                            + " pages, it needs " + slots);
                }
            }
            DriveEvent ev;
            meta.lock();
            try {
                journal.append(new JournalRecord.DriveReplaced(drive, nf.id(), nf.path.toString(), slots));
                DriveState from = d.state;
                d.id = nf.id();
                d.path = nf.path;
                d.file = nf;
                d.cause = "replaced";
                d.state = DriveState.REBUILDING;
                ev = event(d, from, DriveState.REBUILDING, "replaced by " + nf.path);
            } finally {
                meta.unlock();
            }
            journal.syncAll();
            log.info("drive {} replaced by {} ({}); rebuilding", driveName(drive), nf.path, nf.id());
            emit(ev);
            startRebuild(d);
        }
    }

    private void startRebuild(Drive d) {
        RebuildTask r = new RebuildTask(this, d);
        d.rebuild = r;
        r.start();
    }

    /** The rebuild of a drive, running or last finished, if any since the store opened. */
    public Optional<TaskProgress> rebuildProgress(int drive) {
        RebuildTask r = checkDrive(drive).rebuild;
        return r == null ? Optional.empty() : Optional.of(r.progress());
    }

    /** Called by a rebuild that copied every page: the drive goes ONLINE. */
    void rebuildDone(Drive d, RebuildTask task) throws IOException {
        syncDrive(d);
        DriveEvent ev;
        meta.lock();
        try {
            if (d.state != DriveState.REBUILDING || d.rebuild != task) {
                return;
            }
            journal.append(new JournalRecord.DriveStateChanged(d.index, DriveState.ONLINE, "rebuilt"));
            d.state = DriveState.ONLINE;
            d.cause = "rebuilt";
            ev = event(d, DriveState.REBUILDING, DriveState.ONLINE, "rebuild complete");
        } finally {
            meta.unlock();
        }
        journal.syncAll();
        log.info("drive {} rebuilt and ONLINE", driveName(d.index));
        emit(ev);
    }

    /** Page copies on a drive, for its rebuild: parallel lists of volume, page and copies. */
    record PageList(List<PageVolume> volumes, long[] pages, long[] copies) {
    }

    PageList pagesOn(int drive) {
        meta.lock();
        try {
            return pages(drive);
        } finally {
            meta.unlock();
        }
    }

    private PageList pages(int drive) {
        List<PageVolume> vs = new ArrayList<>();
        List<Long> ps = new ArrayList<>();
        List<Long> cs = new ArrayList<>();
        for (PageVolume v : volumes()) {
            for (long p = 0; p < v.table.pages(); p++) {
                long c = v.table.copies(p);
                if (c != Copies.NONE && (drive < 0 || Copies.drive(c, 0) == drive || Copies.drive(c, 1) == drive)) {
                    vs.add(v);
                    ps.add(p);
                    cs.add(c);
                }
            }
        }
        return new PageList(vs, ps.stream().mapToLong(Long::longValue).toArray(),
                cs.stream().mapToLong(Long::longValue).toArray());
    }

    // ------------------------------------------------------------------ scrub

    /**
     * Starts a background scrub of every allocated page (unless one is running) and returns its
     * progress.
     */
    public TaskProgress startScrub() throws IOException {
        checkOpen();
        synchronized (this) {
            ScrubTask s = scrub;
            if (s != null && s.progress().state() == TaskProgress.State.RUNNING) {
                return s.progress();
            }
            PageList all;
            meta.lock();
            try {
                all = pages(-1);
            } finally {
                meta.unlock();
            }
            s = new ScrubTask(this, all);
            scrub = s;
            s.start();
            return s.progress();
        }
    }

    /** The running or last scrub since the store opened. */
    /**
     * When the next scheduled scrub starts: {@code scrubInterval} after the end of the last complete
     * one (or after the store was created or first opened by a version with scheduled scrubs);
     * empty when scrubs run on demand only.
     */
    public Optional<Instant> nextScheduledScrub() {
        Duration every = config.scrubInterval();
        Instant last = lastScrub;
        return every.isZero() || last == null ? Optional.empty() : Optional.of(last.plus(every));
    }

    /** Starts the scheduled scrub when it is due and no scrub runs (called by the maintenance thread). */
    void scheduleScrub() throws IOException {
        Optional<Instant> next = nextScheduledScrub();
        if (next.isEmpty() || Instant.now().isBefore(next.get())) {
            return;
        }
        ScrubTask s = scrub;
        if (s != null && s.progress().state() == TaskProgress.State.RUNNING) {
            return;
        }
        log.info("page store {}: starting the scheduled scrub (every {}, last ended {})", storeId,
                config.scrubInterval(), lastScrub);
        startScrub();
    }

    /** A scrub walked every page: the schedule counts from now, and this survives a restart. */
    void scrubCompleted(Instant at) {
        lastScrub = at;
        writeScrubTime(at);
    }

    private static final String SCRUB_FILE = "scrub-last";

    /** Loads the end of the last complete scrub from the metadata directories (the later one wins). */
    private void loadScrubTime() {
        Instant best = null;
        for (Path d : List.of(dir, mirror)) {
            try {
                Path f = d.resolve(SCRUB_FILE);
                if (Files.exists(f)) {
                    Instant t = Instant.ofEpochMilli(Long.parseLong(Files.readString(f).trim()));
                    best = best == null || t.isAfter(best) ? t : best;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("page store {}: ignoring an unreadable {} in {}: {}", storeId, SCRUB_FILE, d, e.toString());
            }
        }
        if (best == null) {
            best = Instant.now(); // a new store (or one from before scheduled scrubs): count from now
            writeScrubTime(best);
        }
        lastScrub = best;
    }

    private void writeScrubTime(Instant at) {
        for (Path d : List.of(dir, mirror)) {
            try {
                Path tmp = d.resolve(SCRUB_FILE + ".tmp");
                Files.writeString(tmp, Long.toString(at.toEpochMilli()) + "\n");
                Files.move(tmp, d.resolve(SCRUB_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                log.warn("page store {}: could not record the scrub time in {}: {}", storeId, d, e.toString());
            }
        }
    }

    public Optional<TaskProgress> scrubProgress() {
        ScrubTask s = scrub;
        return s == null ? Optional.empty() : Optional.of(s.progress());
    }

    // ------------------------------------------------------------------ close

    void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("page store " + storeId + " is closed");
        }
    }

    /**
     * Stops background work, makes everything durable, marks every page clean, writes a
     * checkpoint and closes the drives; the next open has nothing to recover.
     */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ScrubTask s = scrub;
        if (s != null) {
            s.cancel();
            s.join();
        }
        for (Drive d : drives) {
            RebuildTask r = d.rebuild;
            if (r != null) {
                r.cancel();
                r.join();
            }
        }
        maintenance.shutdownNow();
        marker.shutdown();
        try {
            maintenance.awaitTermination(10, TimeUnit.SECONDS);
            marker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IOException failure = null;
        try {
            gate.advanceAndDrain();
            syncAllDrives();
            meta.lock();
            try {
                boolean allSynced = true;
                for (Drive d : drives) {
                    allSynced &= !d.unsynced || d.state == DriveState.FAILED;
                }
                if (allSynced) {
                    for (PageVolume v : volumes.values()) {
                        for (int p = v.dirty.nextSetBit(0); p >= 0; p = v.dirty.nextSetBit(p + 1)) {
                            v.table.setTag(p, 0);
                        }
                        v.dirty.clear();
                    }
                }
            } finally {
                meta.unlock();
            }
            checkpoint();
        } catch (IOException e) {
            failure = e;
            log.error("page store {}: clean shutdown failed, the next start recovers: {}", storeId, e.toString());
        }
        abandon();
        if (failure != null) {
            throw failure;
        }
    }

    /** For tests: stop as SIGKILL would (no sync, no clean, no checkpoint); the page cache survives. */
    void simulateCrash() {
        ScrubTask s = scrub;
        if (s != null) {
            s.cancel();
        }
        for (Drive d : drives) {
            RebuildTask r = d.rebuild;
            if (r != null) {
                r.cancel();
            }
        }
        abandon();
        if (s != null) {
            s.join();
        }
        for (Drive d : drives) {
            RebuildTask r = d.rebuild;
            if (r != null) {
                r.join();
            }
        }
    }

    /** Releases files, threads and the directory lock without any further writes. */
    private void abandon() {
        closed = true;
        maintenance.shutdownNow();
        marker.shutdown();
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
            marker.awaitTermination(5, TimeUnit.SECONDS); // a mark under way ends before its journal closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException e) {
                log.warn("closing the page store journal: {}", e.toString());
            }
        }
        for (Drive d : drives) {
            DriveFile f = d.file;
            if (f != null) {
                try {
                    f.close();
                } catch (IOException e) {
                    log.warn("closing drive {}: {}", driveName(d.index), e.toString());
                }
            }
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.warn("releasing the page store lock: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "PageStore[" + storeId + ", " + drives.length + " drives, " + dir + "]";
    }

    /** Counters of one background task or recovery. */
    static final class TaskStats {
        long units;
        long repaired;
        long unrecoverable;
    }
}

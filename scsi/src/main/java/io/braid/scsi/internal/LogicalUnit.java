package io.braid.scsi.internal;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.UnitFeature;
import io.braid.store.BlockDevice;
import io.braid.store.SpaceExhaustedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One logical unit as the core presents it (SAM-5 "Logical units"): the backstore, the identity
 * derived from the volume UUID, pending unit attentions and the mode parameters.
 */
public final class LogicalUnit {

    private static final Logger log = LoggerFactory.getLogger(LogicalUnit.class);

    private final LogicalUnitSpec spec;
    private final String serial;
    private final byte[] naa;
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final ReentrantReadWriteLock taskOrder = new ReentrantReadWriteLock(true);
    private final RangeLock ranges;
    private final Sanitizer sanitizer;
    private final MediumRemoval mediumRemoval = new MediumRemoval();
    private final ModeParameters modeParameters;
    private final Reservations reservations;

    LogicalUnit(LogicalUnitSpec spec) {
        this.spec = spec;
        this.serial = serialOf(spec.id());
        this.naa = naaOf(spec.id());
        this.sanitizer = new Sanitizer(spec.name());
        this.ranges = new RangeLock(spec.device().blockSize(), this::checkWritable);
        this.modeParameters = new ModeParameters(spec.state(), spec.name());
        this.reservations = new Reservations(spec.name(), spec.state());
    }

    /**
     * The unit serial number of VPD page 80h: the volume UUID as 32 lower-case hex digits, so it is
     * stable across restarts and unique per volume.
     */
    static String serialOf(UUID id) {
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(id.getMostSignificantBits()) + hex.toHexDigits(id.getLeastSignificantBits());
    }

    /**
     * The NAA designator of VPD page 83h (SPC-5 "NAA Locally Assigned designator format"): NAA 3h
     * followed by 60 bits taken from a SHA-256 of the volume UUID. Braid has no IEEE company ID, so
     * IEEE formats (5h, 6h) are not available; a locally assigned value derived from a random UUID
     * is stable across restarts and collides with probability ~2^-60 per pair of volumes, which
     * multipath software can rely on. The hash (not the raw low bits) keeps non-random (name
     * based) UUIDs well spread too.
     */
    static byte[] naaOf(UUID id) {
        byte[] uuid = new byte[16];
        BigEndian.put64(uuid, 0, id.getMostSignificantBits());
        BigEndian.put64(uuid, 8, id.getLeastSignificantBits());
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(uuid);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
        byte[] naa = new byte[8];
        System.arraycopy(digest, 0, naa, 0, 8);
        naa[0] = (byte) (0x30 | naa[0] & 0x0F);
        return naa;
    }

    public int lun() {
        return spec.lun();
    }

    public String name() {
        return spec.name();
    }

    /**
     * Whether the medium is write protected: a read-only mapping, or the control mode page's SWP
     * bit (SBC-4 "Write protection"). Writes then end with DATA PROTECT / WRITE PROTECTED.
     */
    public boolean readOnly() {
        return spec.readOnly() || modeParameters.current().softwareWriteProtect();
    }

    /** Whether a per-LUN switch is on. */
    public boolean has(UnitFeature feature) {
        return spec.has(feature);
    }

    public BlockDevice device() {
        return spec.device();
    }

    public int blockSize() {
        return spec.device().blockSize();
    }

    /** Capacity in blocks, read from the device each time so a resize is seen at once. */
    public long blockCount() {
        return spec.device().blockCount();
    }

    public String serial() {
        return serial;
    }

    public byte[] naa() {
        return naa.clone();
    }

    UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    /**
     * Thin provisioning is reported (LBPME, the Logical Block Provisioning VPD page) only when the
     * switch is on and the backstore really deallocates.
     */
    public boolean thinProvisioned() {
        return spec.has(UnitFeature.THIN_PROVISIONING) && spec.device().supportsUnmap();
    }

    /**
     * Whether the unit supports anchored LBAs (SBC-4 "Anchored LBAs", ANC_SUP): thin provisioned
     * on a backstore that can allocate storage holding no data.
     */
    public boolean anchorSupported() {
        return thinProvisioned() && spec.device().supportsAnchor();
    }

    /** Whether the unit's per-LUN switches ({@link UnitFeature}) leave this command available. */
    public boolean offers(CommandDescriptor d) {
        return (!d.has(CommandFlag.NEEDS_PERSISTENT_RESERVATIONS) || spec.has(UnitFeature.PERSISTENT_RESERVATIONS))
                && (!d.has(CommandFlag.NEEDS_EXTENDED_COPY) || spec.has(UnitFeature.EXTENDED_COPY))
                && (!d.has(CommandFlag.NEEDS_COMPARE_AND_WRITE) || spec.has(UnitFeature.COMPARE_AND_WRITE))
                && (!d.has(CommandFlag.NEEDS_THIN_PROVISIONING) || spec.has(UnitFeature.THIN_PROVISIONING))
                && (!d.has(CommandFlag.NEEDS_UNMAP) || thinProvisioned());
    }

    /** Persistent and SCSI-2 reservations (SPC-5 "Reservations"). */
    Reservations reservations() {
        return reservations;
    }

    /** The LBA range lock every command that changes the medium takes. */
    RangeLock ranges() {
        return ranges;
    }

    Sanitizer sanitizer() {
        return sanitizer;
    }

    MediumRemoval mediumRemoval() {
        return mediumRemoval;
    }

    /** Serialises ORDERED tasks against all others (SAM-5 "Task attributes"). */
    ReentrantReadWriteLock taskOrder() {
        return taskOrder;
    }

    /** The format the control mode page D_SENSE bit selects for sense this unit returns. */
    public SenseFormat senseFormat() {
        return modeParameters.current().descriptorSense() ? SenseFormat.DESCRIPTOR : SenseFormat.FIXED;
    }

    /** The changeable mode parameters (D_SENSE, SWP, WCE) with their saved values. */
    ModeParameters modeParameters() {
        return modeParameters;
    }

    /** Sets the current D_SENSE bit without saving it. */
    void descriptorSense(boolean on) {
        modeParameters.descriptorSense(on);
    }

    boolean descriptorSense() {
        return modeParameters.current().descriptorSense();
    }

    /**
     * WCE as reported in the caching mode page: the backstore has a write cache and MODE SELECT
     * did not turn it off.
     */
    boolean writeCacheEnabled() {
        return spec.device().writeCacheEnabled() && !modeParameters.current().writeCacheDisabled();
    }

    /** Reads whole blocks at {@code lba}; a backstore failure becomes MEDIUM ERROR for this task. */
    void read(long lba, ByteBuffer dst) {
        try {
            spec.device().read(lba * blockSize(), dst);
        } catch (IOException e) {
            throw ioFailure("read", lba, e, SenseCode.UNRECOVERED_READ_ERROR);
        }
    }

    /**
     * Writes whole blocks at {@code lba} holding the range shared, so no COMPARE AND WRITE (or
     * other exclusive holder) of an overlapping range runs meanwhile.
     *
     * @param command polled for task management while waiting for the range, or null
     */
    void write(Command command, long lba, ByteBuffer src, boolean fua) {
        long blocks = src.remaining() / blockSize();
        ranges.lockShared(lba, blocks, command);
        try {
            writeUnderLock(lba, src, fua);
        } finally {
            ranges.unlockShared(lba, blocks);
        }
    }

    /** {@link #write(Command, long, ByteBuffer, boolean)} for callers without a task to poll. */
    void write(long lba, ByteBuffer src, boolean fua) {
        write(null, lba, src, fua);
    }

    /**
     * Whether a write of these blocks, made now, would only copy them into memory ({@link
     * BlockDevice#writeStaysInMemory}); never with the write cache off, where every write is
     * forced unit access.
     */
    boolean writeStaysInMemory(long lba, long blocks) {
        if (lba < 0 || blocks <= 0 || lba > blockCount() - blocks
                || spec.device().writeCacheEnabled() && modeParameters.current().writeCacheDisabled()) {
            return false;
        }
        return spec.device().writeStaysInMemory(lba * blockSize(), blocks * blockSize());
    }

    /**
     * Writes whole blocks; the caller holds the range lock (shared or exclusive) for them. With
     * WCE set to zero in the caching mode page every write is forced unit access (SBC-4 "Caching
     * mode page"); a backstore without a write cache needs no FUA.
     */
    void writeUnderLock(long lba, ByteBuffer src, boolean fua) {
        boolean cacheOff = spec.device().writeCacheEnabled() && modeParameters.current().writeCacheDisabled();
        try {
            spec.device().write(lba * blockSize(), src, fua || cacheOff);
        } catch (IOException e) {
            throw ioFailure("write", lba, e, SenseCode.WRITE_ERROR);
        }
    }

    /** Deallocates {@code blocks} blocks holding the range shared; only on a thin-provisioned unit. */
    void unmap(Command command, long lba, long blocks) {
        ranges.lockShared(lba, blocks, command);
        try {
            unmapUnderLock(lba, blocks);
        } finally {
            ranges.unlockShared(lba, blocks);
        }
    }

    /** Deallocates blocks; the caller holds the range lock for them. */
    void unmapUnderLock(long lba, long blocks) {
        if (blocks == 0) {
            return;
        }
        try {
            spec.device().unmap(lba * blockSize(), blocks * blockSize());
        } catch (IOException e) {
            throw ioFailure("unmap", lba, e, SenseCode.WRITE_ERROR);
        }
    }

    /**
     * Anchors {@code blocks} blocks holding the range shared; only when {@link #anchorSupported}.
     * Storage that cannot be allocated is a DATA PROTECT error (space allocation failed), as for a
     * write, and nothing changed.
     */
    void anchor(Command command, long lba, long blocks) {
        if (blocks == 0) {
            return;
        }
        ranges.lockShared(lba, blocks, command);
        try {
            spec.device().anchor(lba * blockSize(), blocks * blockSize());
        } catch (IOException e) {
            throw ioFailure("anchor", lba, e, SenseCode.WRITE_ERROR);
        } finally {
            ranges.unlockShared(lba, blocks);
        }
    }

    /** The provisioning status of the run of blocks starting at {@code lba}, in bytes. */
    BlockDevice.Extent provisioning(long lba) {
        try {
            return spec.device().provisioning(lba * blockSize());
        } catch (IOException e) {
            throw ioFailure("provisioning status", lba, e, SenseCode.UNRECOVERED_READ_ERROR);
        }
    }

    /** Called while a writer waits for its range: a sanitize that started meanwhile ends the wait. */
    private void checkWritable() {
        if (sanitizer.inProgress()) {
            throw new CheckCondition(sanitizer.sense() == null
                    ? Sense.of(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS) : sanitizer.sense());
        }
    }

    void flush() {
        try {
            spec.device().flush();
        } catch (IOException e) {
            throw ioFailure("flush", 0, e, SenseCode.WRITE_ERROR);
        }
    }

    private CheckCondition ioFailure(String op, long lba, IOException e, SenseCode code) {
        if (e instanceof ClosedChannelException) {
            // The backstore is shutting down: NOT READY makes initiators retry rather than fail I/O.
            log.debug("lun {} ({}): {} at lba {} on a closed device", lun(), name(), op, lba);
            return CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE);
        }
        if (e instanceof SpaceExhaustedException) {
            // SBC-4 "Thin provisioning resource exhaustion": not a medium error, nothing was written.
            log.warn("lun {} ({}): {} at lba {}: {}", lun(), name(), op, lba, e.getMessage());
            return CheckCondition.of(SenseCode.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
        }
        log.warn("lun {} ({}): {} at lba {} failed: {}", lun(), name(), op, lba, e.toString());
        return new CheckCondition(Sense.of(code).withInformation(lba));
    }
}

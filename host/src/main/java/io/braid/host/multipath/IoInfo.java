package io.braid.host.multipath;

/**
 * What a policy hook sees of one SCSI command the driver is about to send or has sent: the
 * operation, where and how much.
 *
 * @param device    the device's name (its export name)
 * @param operation the command
 * @param lba       first logical block, 0 for commands without one
 * @param blocks    number of logical blocks, 0 for commands without one
 * @param bytes     data transferred (read or written), 0 for commands without data
 */
public record IoInfo(String device, IoOperation operation, long lba, long blocks, int bytes) {
    @Override
    public String toString() {
        return operation + (blocks > 0 ? " of " + blocks + " blocks at LBA " + lba : "") + " on " + device;
    }
}

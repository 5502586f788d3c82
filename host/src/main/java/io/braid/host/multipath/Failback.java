package io.braid.host.multipath;

/** Whether failover-only goes back to the first path of the device's order when it returns. */
public enum Failback {
    /** As soon as the checker reinstates a better path, I/O uses it again. */
    IMMEDIATE,
    /** I/O stays on the path it failed over to while that path works. */
    MANUAL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

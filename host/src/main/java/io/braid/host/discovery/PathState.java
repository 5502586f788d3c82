package io.braid.host.discovery;

/** Whether a path can carry I/O now: its session is in the full feature phase or not. */
public enum PathState {
    CONNECTED,
    DISCONNECTED
}

package io.braid.host.api;

import io.braid.host.multipath.MultipathEvent;

/**
 * One event in {@code GET /api/v1/events?after=N}.
 *
 * @param sequence increasing from 1
 * @param time     ISO-8601
 * @param type     e.g. {@code path-failed}, {@code path-reinstated}, {@code no-path}
 * @param deviceId the device, or null
 * @param path     the path as text, or null
 * @param message  details
 */
public record EventView(long sequence, String time, String type, String deviceId, String path, String message) {
    public static EventView of(MultipathEvent e) {
        return new EventView(e.sequence(), e.time().toString(), e.type().label(), e.deviceId(),
                e.path() == null ? null : e.path().toString(), e.message());
    }
}

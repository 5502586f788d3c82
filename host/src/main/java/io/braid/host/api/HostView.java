package io.braid.host.api;

import io.braid.host.pr.ReservationKeeper;

import java.util.List;
import java.util.Optional;

/** What the control API serves; implemented by the running agent. Called on the API's threads. */
public interface HostView {
    List<DeviceView> devices();

    /** The device with this name or id. */
    Optional<DeviceView> device(String nameOrId);

    List<DevicePathView> paths();

    /** Recent events with a sequence number above {@code after}. */
    List<EventView> events(long after);

    List<ExportView> exports();

    /** The persistent reservation keeper of the device with this name or id; empty when there is no such device. */
    default Optional<ReservationKeeper> reservations(String nameOrId) {
        return Optional.empty();
    }
}

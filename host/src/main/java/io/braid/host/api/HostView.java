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

    /** Every device policy module in memory (built-ins first). */
    default List<io.braid.host.module.ModuleInfo> modules() {
        return List.of();
    }

    /** The module of this name, if it is in memory. */
    default Optional<io.braid.host.module.ModuleInfo> module(String name) {
        return Optional.empty();
    }

    /** Loads (or replaces) the module in the jar at {@code path} on the agent's machine. */
    default io.braid.host.module.ModuleInfo loadModule(String path) throws io.braid.host.module.ModuleException {
        throw new io.braid.host.module.ModuleException("this agent does not load modules");
    }

    /** Unloads a module by name. */
    default io.braid.host.module.ModuleInfo unloadModule(String name) throws io.braid.host.module.ModuleException {
        throw new io.braid.host.module.ModuleException("this agent does not load modules");
    }
}

package io.braid.host;

import io.braid.host.module.ModuleConfig;
import io.braid.host.multipath.MultipathConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@link HostRuntime} runs with: discovery and sessions ({@link HostConfig}), the
 * multipath driver ({@link MultipathConfig}), where the agent keeps its files, where NBD and the
 * control API listen, and the names devices are exported by. Read from the whole of
 * {@code host.yaml} by {@link HostConfigLoader#loadAgent}, or built in code.
 *
 * @param host        initiator and discovery settings
 * @param multipath   driver settings
 * @param dataDir     the agent's directory: {@code nbd.sock}, {@code host-control.json},
 *                    {@code host-api-token}
 * @param nbdTcp      a loopback address for NBD over TCP (port 0 picks one), or null for the
 *                    Unix socket alone
 * @param api         the loopback address of the control API (port 0 picks one), or null for none
 * @param exportNames export names by device id or LUN serial; other devices are exported by
 *                    their id (see {@link io.braid.host.multipath.DeviceNaming#of})
 * @param modules     device policy modules: directory, decision budget ({@code modules:})
 */
public record AgentConfig(HostConfig host, MultipathConfig multipath, Path dataDir, InetSocketAddress nbdTcp,
                          InetSocketAddress api, Map<String, String> exportNames, ModuleConfig modules) {

    /** Where the control API listens unless configured: loopback, a free port. */
    public static final InetSocketAddress DEFAULT_API = new InetSocketAddress("127.0.0.1", 0);

    public AgentConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(multipath, "multipath");
        Objects.requireNonNull(dataDir, "dataDir");
        exportNames = Map.copyOf(exportNames);
        modules = modules == null ? ModuleConfig.defaults() : modules;
        for (String name : exportNames.values()) {
            ExportedDevice.checkName(name);
        }
        checkLoopback("nbd.tcp", nbdTcp);
        checkLoopback("api", api);
    }

    /** The settings with default module settings. */
    public AgentConfig(HostConfig host, MultipathConfig multipath, Path dataDir, InetSocketAddress nbdTcp,
                       InetSocketAddress api, Map<String, String> exportNames) {
        this(host, multipath, dataDir, nbdTcp, api, exportNames, ModuleConfig.defaults());
    }

    /** Defaults around {@code host}: multipath defaults, control API on a free loopback port, no TCP. */
    public static AgentConfig of(HostConfig host, Path dataDir) {
        return new AgentConfig(host, MultipathConfig.defaults(), dataDir, null, DEFAULT_API, Map.of());
    }

    public AgentConfig withMultipath(MultipathConfig m) {
        return new AgentConfig(host, m, dataDir, nbdTcp, api, exportNames, modules);
    }

    public AgentConfig withDataDir(Path d) {
        return new AgentConfig(host, multipath, d, nbdTcp, api, exportNames, modules);
    }

    public AgentConfig withNbdTcp(InetSocketAddress a) {
        return new AgentConfig(host, multipath, dataDir, a, api, exportNames, modules);
    }

    public AgentConfig withApi(InetSocketAddress a) {
        return new AgentConfig(host, multipath, dataDir, nbdTcp, a, exportNames, modules);
    }

    /** Export names by device id or LUN serial (for Braid volumes, the volume UUID as 32 hex digits). */
    public AgentConfig withExportNames(Map<String, String> names) {
        return new AgentConfig(host, multipath, dataDir, nbdTcp, api, names, modules);
    }

    public AgentConfig withModules(ModuleConfig m) {
        return new AgentConfig(host, multipath, dataDir, nbdTcp, api, exportNames, m);
    }

    private static void checkLoopback(String what, InetSocketAddress a) {
        if (a != null && (a.isUnresolved() || !a.getAddress().isLoopbackAddress())) {
            throw new IllegalArgumentException(what + ": " + a.getHostString()
                    + " is not a loopback address (nothing here has authentication but the API token)");
        }
    }
}

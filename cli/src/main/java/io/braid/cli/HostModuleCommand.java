package io.braid.cli;

import io.braid.host.api.HostControlApi;
import io.braid.host.module.ModuleInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code braid host module load|unload|list}: the agent's device policy modules. */
@Command(name = "module", description = "Load, unload and list the host agent's device policy modules.",
        subcommands = {HostModuleCommand.Load.class, HostModuleCommand.Unload.class, HostModuleCommand.ListModules.class})
final class HostModuleCommand {

    /** {@code braid host module load PATH.jar}. */
    @Command(name = "load", description = {"Load a device policy module jar into the running agent (a new version",
            "of a loaded module replaces it once no I/O is inside the old one)."})
    static final class Load implements Callable<Integer> {
        @Mixin
        HostInstanceOptions instance;

        @Parameters(paramLabel = "PATH.jar", description = "The module jar (on the agent's machine).")
        Path jar;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() throws Exception {
            Path abs = jar.toAbsolutePath().normalize();
            if (!Files.isRegularFile(abs)) {
                throw new IllegalArgumentException(abs + " is not a file");
            }
            ModuleInfo m = instance.client().loadModule(abs.toString());
            return output.print(HostControlApi.JSON, m, (out, unused) ->
                    out.println("loaded " + m.name() + " " + m.version() + " (" + m.devices() + " device(s))"));
        }
    }

    /** {@code braid host module unload NAME}. */
    @Command(name = "unload", description = {"Unload a device policy module: its devices move to their built-in",
            "policy without failing I/O."})
    static final class Unload implements Callable<Integer> {
        @Mixin
        HostInstanceOptions instance;

        @Parameters(paramLabel = "NAME", description = "The module's name (see braid host module list).")
        String name;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() throws Exception {
            ModuleInfo m = instance.client().unloadModule(name);
            return output.print(HostControlApi.JSON, m, (out, unused) ->
                    out.println("unloaded " + m.name() + " " + m.version() + " (" + m.state() + ")"));
        }
    }

    /** {@code braid host module list}. */
    @Command(name = "list", description = {"Show the device policy modules in memory: name, version, built-in or not,",
            "state, devices, decisions, errors, mean decision time.",
            "JSON: each module with name, version, builtin, state, devices, decisions, errors,",
            "meanDecisionMicros, inside, reason."})
    static final class ListModules implements Callable<Integer> {
        @Mixin
        HostInstanceOptions instance;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() throws Exception {
            List<ModuleInfo> modules = instance.client().modules();
            return output.print(HostControlApi.JSON, modules, HostModuleCommand::table);
        }
    }

    static void table(PrintWriter out, List<ModuleInfo> modules) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "VERSION", "BUILTIN", "STATE", "DEVICES", "DECISIONS", "ERRORS", "MEAN-DECISION",
                "REASON"});
        for (ModuleInfo m : modules) {
            rows.add(new String[] {m.name(), m.version(), m.builtin() ? "yes" : "no", m.state(),
                    String.valueOf(m.devices()), String.valueOf(m.decisions()), String.valueOf(m.errors()),
                    m.decisions() == 0 ? "-" : String.format(Locale.ROOT, "%.1fus", m.meanDecisionMicros()),
                    m.reason() == null ? "" : m.reason()});
        }
        VolumeListCommand.table(out, rows);
    }
}

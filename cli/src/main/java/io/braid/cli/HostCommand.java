package io.braid.cli;

import picocli.CommandLine.Command;

/** {@code braid host ...}: the host agent, its multipath devices and paths. */
@Command(name = "host", description = "Run the host agent, show its devices and paths, manage its device policy modules.",
        subcommands = {HostRunCommand.class, HostDevicesCommand.class, HostPathsCommand.class,
                HostEventsCommand.class, HostPrCommand.class, HostModuleCommand.class})
final class HostCommand {
}

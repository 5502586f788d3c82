package io.braid.cli;

import picocli.CommandLine.Command;

/** {@code braid host ...}: the host agent, its multipath devices and paths. */
@Command(name = "host", description = "Run the host agent, show its devices and paths.",
        subcommands = {HostRunCommand.class, HostDevicesCommand.class, HostPathsCommand.class,
                HostEventsCommand.class, HostPrCommand.class})
final class HostCommand {
}

package io.braid.cli;

import picocli.CommandLine.Command;

/** {@code braid volume ...}: volumes of a running instance. */
@Command(name = "volume", description = "Volumes of a running instance.",
        subcommands = {VolumeListCommand.class, VolumeResizeCommand.class})
final class VolumeCommand {
}

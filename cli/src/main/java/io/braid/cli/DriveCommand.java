package io.braid.cli;

import picocli.CommandLine.Command;

/** {@code braid drive ...}: the drives of a running instance's page store. */
@Command(name = "drive", description = "Drives of a running instance (docs/storage.md).",
        subcommands = {DriveListCommand.class, DriveFailCommand.class, DriveReplaceCommand.class})
final class DriveCommand {
}

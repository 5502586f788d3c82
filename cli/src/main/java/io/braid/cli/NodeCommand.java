package io.braid.cli;

import picocli.CommandLine.Command;

/** {@code braid node ...}: one storage node of a real deployment. */
@Command(name = "node", description = "Run a storage node.",
        subcommands = {NodeRunCommand.class})
final class NodeCommand {
}

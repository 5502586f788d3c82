package io.braid.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code braid} command line. */
@Command(name = "braid", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Braid: a scale-out iSCSI SAN.",
        subcommands = {UpCommand.class, NodeCommand.class, StatusCommand.class,
                VolumeCommand.class, HostCommand.class, PortalCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command and returns its exit code (see {@link ExitCodes}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line; tests use it to parse or run with their own streams. */
    public static CommandLine commandLine() {
        ExitCodes exitCodes = new ExitCodes();
        CommandLine cmd = new CommandLine(new Main());
        cmd.setExecutionExceptionHandler(exitCodes);
        cmd.setExitCodeExceptionMapper(exitCodes);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    @Override
    public void run() {
        // "braid" alone: picocli prints this message and the usage to stderr.
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** Version from the jar manifest (set by the build), or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"braid " + (v != null ? v : "dev")};
        }
    }
}

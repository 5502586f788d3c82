package io.braid.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code braid} command line. */
@Command(name = "braid", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Braid: a scale-out iSCSI SAN.",
        subcommands = {UpCommand.class, NodeCommand.class, StatusCommand.class,
                VolumeCommand.class, DriveCommand.class, ScrubCommand.class, HostCommand.class,
                PortalCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    private static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Netty's leak detector records a stack trace for a sample of buffers, a measurable cost
        // per I/O (docs/performance.md); the process runs without it unless the property asks
        // for a level. In-process tests do not come through here and keep it.
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
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

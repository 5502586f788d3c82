package io.braid.cli;

import io.braid.node.ConfigException;
import io.braid.node.DataDirectory;
import io.braid.node.PortInUseException;
import io.braid.node.VolumeCatalog;
import io.braid.store.page.DriveIdentityException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;

/**
 * The one place where failures become exit codes and one-line messages on stderr. Scripts can rely
 * on the codes; people read the message. A stack trace is printed only for unexpected errors.
 */
final class ExitCodes implements CommandLine.IExitCodeExceptionMapper,
        CommandLine.IExecutionExceptionHandler {
    static final int OK = 0;
    /** A bug: an unexpected exception. */
    static final int SOFTWARE = 1;
    /** Bad command line (picocli's own code for usage errors). */
    static final int USAGE = 2;
    /** Bad configuration: config file, flag values, volume on disk not as asked, a wrong drive. */
    static final int CONFIG = 3;
    /** An address or the data directory is taken by another process. */
    static final int BUSY = 4;
    /** No running instance was found or it does not answer. */
    static final int NOT_RUNNING = 5;
    /** The instance answered with an error. */
    static final int API_ERROR = 6;
    /** Any other I/O failure. */
    static final int IO = 7;

    @Override
    public int getExitCode(Throwable t) {
        if (t instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        if (t instanceof ConfigException || t instanceof io.braid.host.HostConfigException
                || t instanceof IllegalArgumentException
                || t instanceof VolumeCatalog.VolumeConflictException
                || t instanceof DriveIdentityException) {
            return CONFIG;
        }
        if (t instanceof PortInUseException || t instanceof BindException
                || t instanceof DataDirectory.DataDirectoryInUseException) {
            return BUSY;
        }
        if (t instanceof ApiClient.NotRunningException) {
            return NOT_RUNNING;
        }
        if (t instanceof ApiClient.ApiCallException) {
            return API_ERROR;
        }
        if (t instanceof IOException) {
            return IO;
        }
        return SOFTWARE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd,
                                        CommandLine.ParseResult parseResult) {
        int code = getExitCode(ex);
        PrintWriter err = cmd.getErr();
        if (code == SOFTWARE) {
            err.println("braid: internal error: " + ex);
            ex.printStackTrace(err);
        } else {
            err.println("braid: " + ex.getMessage());
        }
        err.flush();
        return code;
    }
}

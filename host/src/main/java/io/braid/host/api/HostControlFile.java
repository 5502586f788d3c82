package io.braid.host.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.braid.common.io.ControlFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a running host agent leaves in its data directory so that {@code braid host ...} finds it:
 * {@code host-control.json} (API address, pid, NBD socket) and {@code host-api-token} (the bearer
 * token, mode 0600). Names apart from the node's {@code control.json} and {@code api-token}, so a
 * node and an agent may share a directory. Written once the agent is up, removed on a clean stop.
 *
 * @param api           base URL of the control API, e.g. {@code http://127.0.0.1:41234}
 * @param pid           process id of the agent
 * @param initiatorName the agent's iSCSI initiator name
 * @param nbdSocket     the NBD Unix socket
 * @param startedAt     ISO-8601 start time
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HostControlFile(String api, long pid, String initiatorName, String nbdSocket, String startedAt) {
    public static final String CONTROL_FILE = "host-control.json";
    public static final String TOKEN_FILE = "host-api-token";

    /** Writes both files: the token first, so a reader that sees the control file finds it. */
    public void write(Path dataDir, String token) throws IOException {
        ControlFiles.write(dataDir.resolve(TOKEN_FILE), token, dataDir.resolve(CONTROL_FILE), HostControlApi.JSON, this);
    }

    /** The control file of a running (or uncleanly stopped) agent, if any. */
    public static Optional<HostControlFile> read(Path dataDir) throws IOException {
        return ControlFiles.read(dataDir.resolve(CONTROL_FILE), HostControlApi.JSON, HostControlFile.class,
                HostControlFile::api);
    }

    /** The bearer token left by the running agent. */
    public static String readToken(Path dataDir) throws IOException {
        return ControlFiles.readToken(dataDir.resolve(TOKEN_FILE));
    }

    /** Removes both files, unless another agent has replaced them since (its pid is in the file). */
    public static void remove(Path dataDir, long pid) throws IOException {
        Optional<HostControlFile> c;
        try {
            c = read(dataDir);
        } catch (IOException e) {
            c = Optional.empty();
        }
        if (c.isPresent() && c.get().pid() != pid) {
            return;
        }
        Files.deleteIfExists(dataDir.resolve(CONTROL_FILE));
        Files.deleteIfExists(dataDir.resolve(TOKEN_FILE));
    }
}

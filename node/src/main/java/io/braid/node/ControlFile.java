package io.braid.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.braid.common.io.ControlFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a running node leaves in its data directory so that CLI commands can find it:
 * {@code control.json} (API address, pid, names) and {@code api-token} (the bearer token, mode
 * 0600). Both are written once the node is up and removed on a clean shutdown.
 *
 * @param api       base URL of the management API, e.g. {@code http://127.0.0.1:41234}
 * @param pid       process id of the node
 * @param node      node name
 * @param targetIqn the node's target name
 * @param startedAt ISO-8601 start time
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ControlFile(String api, long pid, String node, String targetIqn, String startedAt) {
    public static final String CONTROL_FILE = "control.json";
    public static final String TOKEN_FILE = "api-token";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Writes both files: the token first, so a reader that sees the control file finds it. */
    public void write(Path dataDir, String token) throws IOException {
        ControlFiles.write(dataDir.resolve(TOKEN_FILE), token, dataDir.resolve(CONTROL_FILE), JSON, this);
    }

    /** The control file of a running (or uncleanly stopped) node, if any. */
    public static Optional<ControlFile> read(Path dataDir) throws IOException {
        return ControlFiles.read(dataDir.resolve(CONTROL_FILE), JSON, ControlFile.class, ControlFile::api);
    }

    /** The bearer token left by the running node. */
    public static String readToken(Path dataDir) throws IOException {
        return ControlFiles.readToken(dataDir.resolve(TOKEN_FILE));
    }

    /** Removes both files (clean shutdown). */
    public static void remove(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(CONTROL_FILE));
        Files.deleteIfExists(dataDir.resolve(TOKEN_FILE));
    }
}

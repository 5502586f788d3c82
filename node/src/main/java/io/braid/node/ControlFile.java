package io.braid.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
        DataDirectory.writeAtomically(dataDir.resolve(TOKEN_FILE),
                (token + "\n").getBytes(StandardCharsets.US_ASCII), true);
        DataDirectory.writeAtomically(dataDir.resolve(CONTROL_FILE),
                JSON.writeValueAsBytes(this), false);
    }

    /** The control file of a running (or uncleanly stopped) node, if any. */
    public static Optional<ControlFile> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(CONTROL_FILE);
        try {
            byte[] bytes = Files.readAllBytes(file);
            ControlFile c = JSON.readValue(bytes, ControlFile.class);
            if (c == null || c.api() == null) {
                throw new IOException(file + " has no API address");
            }
            return Optional.of(c);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JacksonException e) {
            throw new IOException(file + " is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    /** The bearer token left by the running node. */
    public static String readToken(Path dataDir) throws IOException {
        Path file = dataDir.resolve(TOKEN_FILE);
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new IOException("no API token at " + file, e);
        }
    }

    /** Removes both files (clean shutdown). */
    public static void remove(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(CONTROL_FILE));
        Files.deleteIfExists(dataDir.resolve(TOKEN_FILE));
    }
}

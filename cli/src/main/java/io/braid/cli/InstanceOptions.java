package io.braid.cli;

import io.braid.node.ControlFile;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a command finds a running instance: the control file in {@code --data DIR} (default
 * {@code ./braid-data}), or {@code --api URL} with a token.
 */
final class InstanceOptions {
    static final String DEFAULT_DATA = "./braid-data";

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory of the running instance (default: " + DEFAULT_DATA + ").")
    Path data;

    @Option(names = "--api", paramLabel = "URL",
            description = "Management API base URL, e.g. http://127.0.0.1:8080 (instead of --data).")
    URI api;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:BRAID_API_TOKEN}",
            description = "Bearer token for --api (default: $BRAID_API_TOKEN).")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the bearer token for --api (e.g. DIR/api-token).")
    Path tokenFile;

    /** Resolves the options to a client, reading the control file when needed. */
    ApiClient client() throws IOException {
        if (api != null) {
            return new ApiClient(api, explicitToken().orElseThrow(() -> new IllegalArgumentException(
                    "--api needs a token: --token, --token-file or BRAID_API_TOKEN")));
        }
        Path dir = data != null ? data : Path.of(DEFAULT_DATA);
        ControlFile control = ControlFile.read(dir).orElseThrow(() ->
                new ApiClient.NotRunningException("no running Braid instance found in " + dir
                        + " (no " + ControlFile.CONTROL_FILE + "; start one with: braid up --data "
                        + dir + ")"));
        String t = explicitToken().isPresent() ? explicitToken().get() : readToken(dir);
        return new ApiClient(URI.create(control.api()), t, control);
    }

    private Optional<String> explicitToken() throws IOException {
        return explicitToken(tokenFile, token);
    }

    /** The token given on the command line: from {@code tokenFile} if named, else {@code token} if not blank. */
    static Optional<String> explicitToken(Path tokenFile, String token) throws IOException {
        if (tokenFile != null) {
            try {
                return Optional.of(Files.readString(tokenFile, StandardCharsets.US_ASCII).strip());
            } catch (NoSuchFileException e) {
                throw new IOException("token file " + tokenFile + " does not exist", e);
            }
        }
        return Optional.ofNullable(token).filter(s -> !s.isBlank());
    }

    private static String readToken(Path dir) throws IOException {
        try {
            return ControlFile.readToken(dir);
        } catch (IOException e) {
            throw new ApiClient.NotRunningException("the instance in " + dir
                    + " left no API token (" + e.getMessage() + ")");
        }
    }
}

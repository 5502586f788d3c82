package io.braid.cli;

import io.braid.host.api.HostControlFile;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a {@code braid host} command finds a running host agent: {@code host-control.json} in
 * {@code --data DIR} (default {@code ./braid-data}), or {@code --api URL} with a token.
 */
final class HostInstanceOptions {

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory of the running host agent (default: " + InstanceOptions.DEFAULT_DATA + ").")
    Path data;

    @Option(names = "--api", paramLabel = "URL",
            description = "Control API base URL, e.g. http://127.0.0.1:41234 (instead of --data).")
    URI api;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:BRAID_HOST_API_TOKEN}",
            description = "Bearer token for --api (default: $BRAID_HOST_API_TOKEN).")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the bearer token for --api (e.g. DIR/host-api-token).")
    Path tokenFile;

    HostApiClient client() throws IOException {
        if (api != null) {
            return new HostApiClient(api, explicitToken().orElseThrow(() -> new IllegalArgumentException(
                    "--api needs a token: --token, --token-file or BRAID_HOST_API_TOKEN")), null);
        }
        Path dir = data != null ? data : Path.of(InstanceOptions.DEFAULT_DATA);
        HostControlFile control = HostControlFile.read(dir).orElseThrow(() ->
                new ApiClient.NotRunningException("no running host agent found in " + dir + " (no "
                        + HostControlFile.CONTROL_FILE + "; start one with: braid host run --config host.yaml --data "
                        + dir + ")"));
        String t;
        if (explicitToken().isPresent()) {
            t = explicitToken().get();
        } else {
            try {
                t = HostControlFile.readToken(dir);
            } catch (IOException e) {
                throw new ApiClient.NotRunningException("the host agent in " + dir + " left no API token ("
                        + e.getMessage() + ")");
            }
        }
        return new HostApiClient(URI.create(control.api()), t, control);
    }

    private Optional<String> explicitToken() throws IOException {
        return InstanceOptions.explicitToken(tokenFile, token);
    }
}

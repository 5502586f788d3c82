package io.braid.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JavaType;
import io.braid.host.api.ApiError;
import io.braid.host.api.DevicePathView;
import io.braid.host.api.DeviceView;
import io.braid.host.api.EventView;
import io.braid.host.api.HostControlApi;
import io.braid.host.api.HostControlFile;
import io.braid.host.module.ModuleInfo;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** A small client of the host agent's control API (see {@link HostControlApi}) for {@code braid host}. */
final class HostApiClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Unloading waits until no I/O is inside the module (the agent bounds that at 30 s). */
    private static final Duration UNLOAD_TIMEOUT = Duration.ofSeconds(45);

    private final URI base;
    private final String token;
    private final HostControlFile control;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    HostApiClient(URI base, String token, HostControlFile control) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = token;
        this.control = control;
    }

    URI base() {
        return base;
    }

    List<DeviceView> devices() throws IOException {
        return get("/devices", list(DeviceView.class));
    }

    DeviceView device(String nameOrId) throws IOException {
        return get("/devices/" + URLEncoder.encode(nameOrId, StandardCharsets.UTF_8).replace("+", "%20"),
                HostControlApi.JSON.constructType(DeviceView.class));
    }

    List<DevicePathView> paths() throws IOException {
        return get("/paths", list(DevicePathView.class));
    }

    List<EventView> events(long after) throws IOException {
        return get("/events?after=" + after, list(EventView.class));
    }

    List<ModuleInfo> modules() throws IOException {
        return get("/modules", list(ModuleInfo.class));
    }

    /** Loads (or replaces) the module in {@code jar}, an absolute path on the agent's machine. */
    ModuleInfo loadModule(String jar) throws IOException {
        String body = HostControlApi.JSON.writeValueAsString(new HostControlApi.LoadRequest(jar));
        return send("POST", "/modules", HttpRequest.BodyPublishers.ofString(body),
                HostControlApi.JSON.constructType(ModuleInfo.class));
    }

    ModuleInfo unloadModule(String name) throws IOException {
        return send("DELETE", "/modules/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"),
                HttpRequest.BodyPublishers.noBody(), HostControlApi.JSON.constructType(ModuleInfo.class));
    }

    private static JavaType list(Class<?> c) {
        return HostControlApi.JSON.getTypeFactory().constructCollectionType(List.class, c);
    }

    private <T> T get(String path, JavaType type) throws IOException {
        return send("GET", path, HttpRequest.BodyPublishers.noBody(), type);
    }

    private <T> T send(String method, String path, HttpRequest.BodyPublisher body, JavaType type) throws IOException {
        URI uri = URI.create(base + HostControlApi.PREFIX + path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(method.equals("GET") ? TIMEOUT : UNLOAD_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .method(method, body).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiClient.NotRunningException("no host agent answers at " + base
                    + (control != null ? " (" + HostControlFile.CONTROL_FILE + " names pid " + control.pid()
                    + "; it may have died without cleaning up)" : ""));
        } catch (HttpTimeoutException e) {
            throw new ApiClient.NotRunningException("the host agent at " + base + " did not answer within "
                    + TIMEOUT.toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            String message = "HTTP " + response.statusCode();
            String code = "http_" + response.statusCode();
            try {
                ApiError error = HostControlApi.JSON.readValue(response.body(), ApiError.class);
                if (error != null && error.error() != null) {
                    message = error.error().message();
                    code = error.error().code();
                }
            } catch (JacksonException e) {
                // Not our JSON: keep the HTTP status.
            }
            throw new ApiClient.ApiCallException(response.statusCode(), code,
                    method + " " + uri.getPath() + " failed: " + message + " (" + code + ")");
        }
        try {
            return HostControlApi.JSON.readValue(response.body(), type);
        } catch (JacksonException e) {
            throw new IOException("unexpected answer from " + uri + ": " + e.getOriginalMessage(), e);
        }
    }
}

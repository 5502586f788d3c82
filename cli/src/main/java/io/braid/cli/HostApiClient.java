package io.braid.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JavaType;
import io.braid.host.api.ApiError;
import io.braid.host.api.DevicePathView;
import io.braid.host.api.DeviceView;
import io.braid.host.api.EventView;
import io.braid.host.api.HostControlApi;
import io.braid.host.api.HostControlFile;
import io.braid.host.api.PrActionView;
import io.braid.host.api.PrRequest;
import io.braid.host.pr.PrStatus;

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

    /** GET /devices/{name}/pr: the registrations and the reservation of a device. */
    PrStatus reservation(String nameOrId) throws IOException {
        return get("/devices/" + encode(nameOrId) + "/pr", HostControlApi.JSON.constructType(PrStatus.class));
    }

    /** POST /devices/{name}/pr/{action}. */
    PrActionView reservationAction(String nameOrId, String action, PrRequest body) throws IOException {
        return send("POST", "/devices/" + encode(nameOrId) + "/pr/" + action,
                HostControlApi.JSON.writeValueAsString(body), HostControlApi.JSON.constructType(PrActionView.class));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JavaType list(Class<?> c) {
        return HostControlApi.JSON.getTypeFactory().constructCollectionType(List.class, c);
    }

    private <T> T get(String path, JavaType type) throws IOException {
        return send("GET", path, null, type);
    }

    private <T> T send(String method, String path, String body, JavaType type) throws IOException {
        URI uri = URI.create(base + HostControlApi.PREFIX + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                // Reservation commands go path by path, each bounded by the agent's command timeout.
                .timeout(path.contains("/pr") ? TIMEOUT.multipliedBy(12) : TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        HttpRequest request = body == null ? b.GET().build()
                : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
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

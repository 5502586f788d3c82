package io.braid.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JavaType;
import io.braid.node.ControlFile;
import io.braid.node.api.ApiError;
import io.braid.node.api.DriveView;
import io.braid.node.api.ManagementApi;
import io.braid.node.api.PortalStateView;
import io.braid.node.api.ResizeRequest;
import io.braid.node.api.ScrubView;
import io.braid.node.api.StatusView;
import io.braid.node.api.VolumeView;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** A small client of the management API (see {@link ManagementApi}) for CLI commands. */
final class ApiClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String token;
    private final ControlFile control;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    ApiClient(URI base, String token) {
        this(base, token, null);
    }

    ApiClient(URI base, String token, ControlFile control) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = token;
        this.control = control;
    }

    URI base() {
        return base;
    }

    StatusView status() throws IOException {
        return get("/status", ManagementApi.JSON.constructType(StatusView.class));
    }

    List<VolumeView> volumes() throws IOException {
        return get("/volumes", ManagementApi.JSON.getTypeFactory()
                .constructCollectionType(List.class, VolumeView.class));
    }

    List<PortalStateView> portals() throws IOException {
        return get("/portals", ManagementApi.JSON.getTypeFactory()
                .constructCollectionType(List.class, PortalStateView.class));
    }

    /** Takes a portal down ({@code up == false}) or brings it up. */
    PortalStateView portal(String address, boolean up) throws IOException {
        return post("/portals/" + URLEncoder.encode(address, StandardCharsets.UTF_8)
                + (up ? "/up" : "/down"), null, ManagementApi.JSON.constructType(PortalStateView.class));
    }

    List<DriveView> drives() throws IOException {
        return get("/drives", ManagementApi.JSON.getTypeFactory()
                .constructCollectionType(List.class, DriveView.class));
    }

    DriveView failDrive(String name) throws IOException {
        return post("/drives/" + name + "/fail", null, ManagementApi.JSON.constructType(DriveView.class));
    }

    DriveView replaceDrive(String name) throws IOException {
        return post("/drives/" + name + "/replace", null, ManagementApi.JSON.constructType(DriveView.class));
    }

    VolumeView resizeVolume(String name, long sizeBytes) throws IOException {
        return post("/volumes/" + name + "/resize", new ResizeRequest(sizeBytes, null),
                ManagementApi.JSON.constructType(VolumeView.class));
    }

    ScrubView scrub() throws IOException {
        return get("/scrub", ManagementApi.JSON.constructType(ScrubView.class));
    }

    ScrubView startScrub() throws IOException {
        return post("/scrub", null, ManagementApi.JSON.constructType(ScrubView.class));
    }

    private <T> T get(String path, JavaType type) throws IOException {
        return send("GET", path, null, type);
    }

    private <T> T post(String path, Object body, JavaType type) throws IOException {
        return send("POST", path, body, type);
    }

    private <T> T send(String method, String path, Object body, JavaType type) throws IOException {
        URI uri = URI.create(base + ManagementApi.PREFIX + path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(ManagementApi.JSON.writeValueAsString(body)))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new NotRunningException("no Braid instance answers at " + base
                    + (control != null ? " (the control file names pid " + control.pid()
                    + "; it may have died without cleaning up)" : ""));
        } catch (HttpTimeoutException e) {
            throw new NotRunningException("the Braid instance at " + base
                    + " did not answer within " + TIMEOUT.toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            String message = "HTTP " + response.statusCode();
            String code = "http_" + response.statusCode();
            try {
                ApiError error = ManagementApi.JSON.readValue(response.body(), ApiError.class);
                if (error != null && error.error() != null) {
                    message = error.error().message();
                    code = error.error().code();
                }
            } catch (JacksonException e) {
                // Not our JSON (a proxy, another server): keep the HTTP status.
            }
            throw new ApiCallException(response.statusCode(), code,
                    method + " " + uri.getRawPath() + " failed: " + message + " (" + code + ")");
        }
        try {
            return ManagementApi.JSON.readValue(response.body(), type);
        } catch (JacksonException e) {
            throw new IOException("unexpected answer from " + uri + ": " + e.getOriginalMessage(), e);
        }
    }

    /** No instance found, or it does not answer. */
    static final class NotRunningException extends IOException {
        private static final long serialVersionUID = 1L;

        NotRunningException(String message) {
            super(message);
        }
    }

    /** The instance answered with an error. */
    static final class ApiCallException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;

        ApiCallException(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        int status() {
            return status;
        }

        String code() {
            return code;
        }
    }
}

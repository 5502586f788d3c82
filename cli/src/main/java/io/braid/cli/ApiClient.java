package io.braid.cli;

import com.fasterxml.jackson.databind.JavaType;
import io.braid.node.ControlFile;
import io.braid.node.api.DriveView;
import io.braid.node.api.ManagementApi;
import io.braid.node.api.PortalStateView;
import io.braid.node.api.ResizeRequest;
import io.braid.node.api.ScrubView;
import io.braid.node.api.StatusView;
import io.braid.node.api.VolumeView;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A small client of the management API (see {@link ManagementApi}) for CLI commands. */
final class ApiClient {
    private final JsonHttp http;

    ApiClient(URI base, String token) {
        this(base, token, null);
    }

    ApiClient(URI base, String token, ControlFile control) {
        this.http = new JsonHttp(base, ManagementApi.PREFIX, token, ManagementApi.JSON, "Braid instance",
                control != null ? " (the control file names pid " + control.pid()
                        + "; it may have died without cleaning up)" : "");
    }

    URI base() {
        return http.base();
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
        return http.get(path, type);
    }

    private <T> T post(String path, Object body, JavaType type) throws IOException {
        return http.post(path, body, type);
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

package io.braid.cli;

import com.fasterxml.jackson.databind.JavaType;
import io.braid.host.api.DevicePathView;
import io.braid.host.api.DeviceView;
import io.braid.host.api.EventView;
import io.braid.host.api.HostControlApi;
import io.braid.host.api.HostControlFile;
import io.braid.host.api.PrActionView;
import io.braid.host.api.PrRequest;
import io.braid.host.pr.PrStatus;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** A small client of the host agent's control API (see {@link HostControlApi}) for {@code braid host}. */
final class HostApiClient {
    /** Reservation commands go path by path, each bounded by the agent's command timeout. */
    private static final Duration PR_TIMEOUT = JsonHttp.TIMEOUT.multipliedBy(12);
    private final JsonHttp http;

    HostApiClient(URI base, String token, HostControlFile control) {
        this.http = new JsonHttp(base, HostControlApi.PREFIX, token, HostControlApi.JSON, "host agent",
                control != null ? " (" + HostControlFile.CONTROL_FILE + " names pid " + control.pid()
                        + "; it may have died without cleaning up)" : "");
    }

    URI base() {
        return http.base();
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
        return http.send("GET", "/devices/" + encode(nameOrId) + "/pr", null,
                HostControlApi.JSON.constructType(PrStatus.class), PR_TIMEOUT);
    }

    /** POST /devices/{name}/pr/{action}. */
    PrActionView reservationAction(String nameOrId, String action, PrRequest body) throws IOException {
        return http.send("POST", "/devices/" + encode(nameOrId) + "/pr/" + action,
                body == null ? new PrRequest(null, null, null, null) : body,
                HostControlApi.JSON.constructType(PrActionView.class), PR_TIMEOUT);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JavaType list(Class<?> c) {
        return HostControlApi.JSON.getTypeFactory().constructCollectionType(List.class, c);
    }

    private <T> T get(String path, JavaType type) throws IOException {
        return http.get(path, type);
    }
}

package io.braid.host.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.braid.common.api.ApiException;
import io.braid.common.api.ApiServer;
import io.braid.host.pr.PrCdbs;
import io.braid.host.pr.PrException;
import io.braid.host.pr.PrResult;
import io.braid.host.pr.PrStatus;
import io.braid.host.pr.PrType;
import io.braid.host.pr.ReservationKeeper;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;

/**
 * The host agent's local control API (version 1): thin handlers over a
 * {@link HostView}, bearer-token authentication on every route, loopback only, and one error
 * mapper that answers {@link io.braid.common.api.ApiError} JSON.
 *
 * <pre>
 * GET /api/v1/devices          -> [DeviceView]
 * GET /api/v1/devices/{name}   -> DeviceView (by export name or device id)
 * GET /api/v1/paths            -> [DevicePathView]
 * GET /api/v1/events?after=N   -> [EventView] (the last 1024 at most)
 * GET /api/v1/exports          -> [ExportView]
 * GET  /api/v1/devices/{name}/pr          -> PrStatus (READ FULL STATUS, READ RESERVATION)
 * POST /api/v1/devices/{name}/pr/{action} -> PrActionView; action register|reserve|release|clear|preempt,
 *                                            body PrRequest
 * </pre>
 *
 * <p>A reservation command that fails answers 409 {@code reservation_conflict}, 422
 * {@code check_condition}, 503 {@code no_path}, 400 {@code invalid_request} or 502
 * {@code transport}/{@code other_status}, with the path and sense data in the message.
 */
public final class HostControlApi implements AutoCloseable {
    public static final String PREFIX = "/api/v1";
    private static final Logger log = LoggerFactory.getLogger(HostControlApi.class);

    /** The JSON settings shared by the server and the CLI's client. */
    public static final ObjectMapper JSON = JsonMapper.builder().build();

    private final ApiServer server;
    private final URI uri;

    private HostControlApi(ApiServer server, URI uri) {
        this.server = server;
        this.uri = uri;
    }

    /**
     * Starts listening on {@code address} (a loopback address; port 0 picks a free one).
     *
     * @param token bearer token every request must carry; never logged
     * @throws IOException when the address is taken or not loopback
     */
    public static HostControlApi start(InetSocketAddress address, String token, HostView view) throws IOException {
        Objects.requireNonNull(token, "token");
        if (address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
            throw new IOException("control API address " + address + " is not a loopback address");
        }
        ApiServer server;
        try {
            server = ApiServer.start(new ApiServer.Settings("control API", "braid-host-api", 8, token,
                    "host-api-token in the agent's data directory", JSON), address.getAddress().getHostAddress(),
                    address.getPort(), routes -> {
                        routes.get(PREFIX + "/devices", ctx -> ctx.json(view.devices()));
                        routes.get(PREFIX + "/devices/{name}", ctx -> ctx.json(view.device(ctx.pathParam("name"))
                                .orElseThrow(() -> ApiException.notFound("no device " + ctx.pathParam("name")))));
                        routes.get(PREFIX + "/paths", ctx -> ctx.json(view.paths()));
                        routes.get(PREFIX + "/events", ctx -> ctx.json(view.events(after(ctx))));
                        routes.get(PREFIX + "/exports", ctx -> ctx.json(view.exports()));
                        routes.get(PREFIX + "/devices/{name}/pr", ctx -> ctx.json(reservation(view, ctx)));
                        routes.post(PREFIX + "/devices/{name}/pr/{action}",
                                ctx -> ctx.json(reservationAction(view, ctx)));
                    });
        } catch (BindException e) {
            throw new IOException("control API address " + address.getAddress().getHostAddress() + ":"
                    + address.getPort() + " is in use", e);
        }
        String host = address.getAddress().getHostAddress();
        URI uri = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + server.port());
        log.info("host control API listening on {}", uri);
        return new HostControlApi(server, uri);
    }

    private static ReservationKeeper keeper(HostView view, Context ctx) {
        String name = ctx.pathParam("name");
        return view.reservations(name).orElseThrow(() -> ApiException.notFound("no device " + name));
    }

    private static PrStatus reservation(HostView view, Context ctx) {
        ReservationKeeper k = keeper(view, ctx);
        try {
            return k.status();
        } catch (PrException e) {
            throw failure(e);
        }
    }

    /** One reservation request; the state afterwards is read back when a path can carry it. */
    private static PrActionView reservationAction(HostView view, Context ctx) {
        ReservationKeeper k = keeper(view, ctx);
        String action = ctx.pathParam("action");
        PrRequest body = ctx.body().isBlank() ? new PrRequest(null, null, null, null) : ctx.bodyAsClass(PrRequest.class);
        PrResult result;
        try {
            result = switch (action) {
                case "register" -> k.register(PrCdbs.parseKey(required(body.key(), "key")));
                case "reserve" -> k.reserve(PrType.parse(required(body.type(), "type")));
                case "release" -> k.release();
                case "clear" -> k.clear();
                case "preempt" -> k.preempt(PrCdbs.parseKey(required(body.victimKey(), "victimKey")),
                        PrType.parse(required(body.type(), "type")), Boolean.TRUE.equals(body.abort()));
                default -> throw ApiException.notFound("no reservation action " + action
                        + " (register, reserve, release, clear, preempt)");
            };
        } catch (PrException e) {
            throw failure(e);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        PrStatus status;
        try {
            status = k.status();
        } catch (PrException e) {
            status = null;
        }
        return new PrActionView(result, status);
    }

    /** A reservation command's failure as the API answers it. */
    private static ApiException failure(PrException e) {
        int status = switch (e.kind()) {
            case RESERVATION_CONFLICT -> 409;
            case CHECK_CONDITION -> 422;
            case NO_PATH -> 503;
            case INVALID_REQUEST -> 400;
            case TRANSPORT, OTHER_STATUS -> 502;
        };
        return new ApiException(status, e.kind().code(), e.getMessage());
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("\"" + field + "\" is missing");
        }
        return value;
    }

    private static long after(Context ctx) {
        String a = ctx.queryParam("after");
        if (a == null) {
            return 0;
        }
        try {
            return Long.parseLong(a);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("after=" + a + " is not a number");
        }
    }

    /** Base URI, e.g. {@code http://127.0.0.1:41234}. */
    public URI uri() {
        return uri;
    }

    @Override
    public void close() {
        server.close();
    }
}

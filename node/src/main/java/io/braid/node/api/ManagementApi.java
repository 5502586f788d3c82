package io.braid.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.braid.node.HostPort;
import io.braid.node.PortInUseException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Type;
import java.net.BindException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The node's management HTTP API (version 1): thin handlers over a {@link NodeView}, records as
 * DTOs, bearer-token authentication on every route, and one error mapper that turns every failure
 * into {@link ApiError} JSON with a stable code.
 *
 * <pre>
 * GET  /api/v1/status                      -> StatusView
 * GET  /api/v1/volumes                     -> [VolumeView]
 * POST /api/v1/volumes/{name}/resize       ResizeRequest -> VolumeView
 * GET  /api/v1/drives                      -> [DriveView]
 * POST /api/v1/drives/{name}/fail          -> DriveView
 * POST /api/v1/drives/{name}/replace       -> DriveView
 * GET  /api/v1/scrub, POST /api/v1/scrub   -> ScrubView
 * GET  /api/v1/portals                     -> [PortalStateView]
 * POST /api/v1/portals/{HOST:PORT}/down    -> PortalStateView   (fault drill: close and refuse)
 * POST /api/v1/portals/{HOST:PORT}/up      -> PortalStateView
 * </pre>
 */
public final class ManagementApi implements AutoCloseable {
    public static final String PREFIX = "/api/v1";
    private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);

    /** The JSON settings shared by the server and the CLI's client. */
    public static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Javalin app;
    private final URI uri;

    private ManagementApi(Javalin app, URI uri) {
        this.app = app;
        this.uri = uri;
    }

    /**
     * Starts listening on {@code address}.
     *
     * @param token bearer token every request must carry; never logged
     * @throws PortInUseException when the address is taken
     */
    public static ManagementApi start(HostPort address, String token, NodeView node)
            throws PortInUseException {
        Objects.requireNonNull(token, "token");
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("braid-api");
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.threadPool = threads;
            config.jsonMapper(new JacksonBridge());
            config.routes.before(ctx -> {
                String given = ctx.header("Authorization");
                // Constant-time comparison: the token must not leak through response timing.
                if (given == null || !MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8), expected)) {
                    throw ApiException.unauthorized();
                }
            });
            config.routes.get(PREFIX + "/status", ctx -> ctx.json(node.status()));
            config.routes.get(PREFIX + "/volumes", ctx -> ctx.json(node.volumes()));
            config.routes.post(PREFIX + "/volumes/{name}/resize", ctx -> {
                ResizeRequest r = ctx.bodyAsClass(ResizeRequest.class);
                ctx.json(node.resizeVolume(ctx.pathParam("name"), sizeOf(r)));
            });
            config.routes.get(PREFIX + "/drives", ctx -> ctx.json(node.drives()));
            config.routes.post(PREFIX + "/drives/{name}/fail",
                    ctx -> ctx.json(node.failDrive(ctx.pathParam("name"))));
            config.routes.post(PREFIX + "/drives/{name}/replace",
                    ctx -> ctx.json(node.replaceDrive(ctx.pathParam("name"))));
            config.routes.get(PREFIX + "/scrub", ctx -> ctx.json(node.scrub()));
            config.routes.post(PREFIX + "/scrub", ctx -> ctx.json(node.startScrub()));
            config.routes.get(PREFIX + "/portals", ctx -> ctx.json(node.portals()));
            config.routes.post(PREFIX + "/portals/{address}/down",
                    ctx -> ctx.json(node.portalDown(ctx.pathParam("address"))));
            config.routes.post(PREFIX + "/portals/{address}/up",
                    ctx -> ctx.json(node.portalUp(ctx.pathParam("address"))));
            config.routes.exception(ApiException.class, (e, ctx) ->
                    answer(ctx, e.status(), e.code(), e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) ->
                    answer(ctx, e.getStatus(), codeFor(e.getStatus()), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.warn("management API: {} {} failed", ctx.method(), ctx.path(), e);
                answer(ctx, 500, "internal", "internal error: " + e.getClass().getSimpleName());
            });
        });
        try {
            app.start(address.host(), address.port());
        } catch (RuntimeException e) {
            app.stop();
            if (causedByBind(e)) {
                throw new PortInUseException("management API address", address.toString(), e);
            }
            throw e;
        }
        HostPort bound = address.withPort(app.port());
        URI uri = URI.create("http://" + bound);
        log.info("management API listening on {}", uri);
        return new ManagementApi(app, uri);
    }

    /** Base URI, e.g. {@code http://127.0.0.1:41234}; the real port when port 0 was asked. */
    public URI uri() {
        return uri;
    }

    @Override
    public void close() {
        app.stop();
    }

    private static long sizeOf(ResizeRequest r) {
        if (r == null || (r.sizeBytes() == null) == (r.size() == null)) {
            throw new ApiException(400, "bad_request", "give the new size as sizeBytes or as size"
                    + " (e.g. {\"size\": \"2G\"}), not both");
        }
        if (r.sizeBytes() != null) {
            return r.sizeBytes();
        }
        try {
            return io.braid.node.Sizes.parse(r.size());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "bad_request", e.getMessage());
        }
    }

    private static void answer(Context ctx, int status, String code, String message) {
        ctx.status(status).json(ApiError.of(code, message));
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 409 -> "conflict";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal" : "http_" + status;
        };
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || t.getClass().getSimpleName().contains("BindException")) {
                return true;
            }
        }
        return false;
    }

    /** Javalin's JSON hook backed by {@link #JSON}. */
    private static final class JacksonBridge implements io.javalin.json.JsonMapper {
        @Override
        public String toJsonString(Object obj, Type type) {
            try {
                return JSON.writeValueAsString(obj);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON for " + type, e);
            }
        }

        @Override
        public <T> T fromJsonString(String json, Type targetType) {
            try {
                return JSON.readValue(json, JSON.constructType(targetType));
            } catch (JsonProcessingException e) {
                throw new ApiException(400, "bad_request", "malformed JSON: "
                        + e.getOriginalMessage());
            }
        }
    }
}

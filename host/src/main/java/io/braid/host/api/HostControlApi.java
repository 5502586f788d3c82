package io.braid.host.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Type;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The host agent's local control API (version 1): thin read-only handlers over a
 * {@link HostView}, bearer-token authentication on every route, loopback only, and one error
 * mapper that answers {@link ApiError} JSON.
 *
 * <pre>
 * GET /api/v1/devices          -> [DeviceView]
 * GET /api/v1/devices/{name}   -> DeviceView (by export name or device id)
 * GET /api/v1/paths            -> [DevicePathView]
 * GET /api/v1/events?after=N   -> [EventView] (the last 1024 at most)
 * GET /api/v1/exports          -> [ExportView]
 * GET /api/v1/modules          -> [ModuleInfo] (device policy modules: built-in, loaded, retiring)
 * GET /api/v1/modules/{name}   -> ModuleInfo (404 when no such module is in memory)
 * POST /api/v1/modules         {"path": "/abs/module.jar"} -> ModuleInfo (loads or replaces)
 * DELETE /api/v1/modules/{name} -> ModuleInfo (unloads)
 * </pre>
 */
public final class HostControlApi implements AutoCloseable {
    public static final String PREFIX = "/api/v1";
    private static final Logger log = LoggerFactory.getLogger(HostControlApi.class);

    /** The JSON settings shared by the server and the CLI's client. */
    public static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Javalin app;
    private final URI uri;

    private HostControlApi(Javalin app, URI uri) {
        this.app = app;
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
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName("braid-host-api");
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.threadPool = threads;
            config.jsonMapper(new JacksonBridge());
            config.routes.before(ctx -> {
                String given = ctx.header("Authorization");
                // Constant-time comparison: the token must not leak through response timing.
                if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
                    throw new ApiFailure(401, "unauthorized",
                            "missing or wrong bearer token (see host-api-token in the agent's data directory)");
                }
            });
            config.routes.get(PREFIX + "/devices", ctx -> ctx.json(view.devices()));
            config.routes.get(PREFIX + "/devices/{name}", ctx -> ctx.json(view.device(ctx.pathParam("name"))
                    .orElseThrow(() -> new ApiFailure(404, "not_found", "no device " + ctx.pathParam("name")))));
            config.routes.get(PREFIX + "/paths", ctx -> ctx.json(view.paths()));
            config.routes.get(PREFIX + "/events", ctx -> ctx.json(view.events(after(ctx))));
            config.routes.get(PREFIX + "/exports", ctx -> ctx.json(view.exports()));
            config.routes.get(PREFIX + "/modules", ctx -> ctx.json(view.modules()));
            config.routes.get(PREFIX + "/modules/{name}", ctx -> ctx.json(view.module(ctx.pathParam("name"))
                    .orElseThrow(() -> new ApiFailure(404, "not_found", "no module " + ctx.pathParam("name")
                            + " is in memory"))));
            config.routes.post(PREFIX + "/modules", ctx -> {
                LoadRequest r = ctx.bodyAsClass(LoadRequest.class);
                if (r == null || r.path() == null || r.path().isBlank()) {
                    throw new ApiFailure(400, "bad_request", "give the module jar as {\"path\": \"/abs/module.jar\"}");
                }
                try {
                    ctx.json(view.loadModule(r.path()));
                } catch (io.braid.host.module.ModuleException e) {
                    throw new ApiFailure(400, "bad_module", e.getMessage());
                }
            });
            config.routes.delete(PREFIX + "/modules/{name}", ctx -> {
                try {
                    ctx.json(view.unloadModule(ctx.pathParam("name")));
                } catch (io.braid.host.module.ModuleException e) {
                    boolean unknown = view.module(ctx.pathParam("name")).isEmpty();
                    throw new ApiFailure(unknown ? 404 : 400, unknown ? "not_found" : "bad_request", e.getMessage());
                }
            });
            config.routes.exception(ApiFailure.class, (e, ctx) -> answer(ctx, e.status, e.code, e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) ->
                    answer(ctx, e.getStatus(), e.getStatus() == 404 ? "not_found" : "http_" + e.getStatus(),
                            e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.warn("control API: {} {} failed", ctx.method(), ctx.path(), e);
                answer(ctx, 500, "internal", "internal error: " + e.getClass().getSimpleName());
            });
        });
        try {
            app.start(address.getAddress().getHostAddress(), address.getPort());
        } catch (RuntimeException e) {
            app.stop();
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw new IOException("control API address " + address.getAddress().getHostAddress() + ":"
                            + address.getPort() + " is in use", e);
                }
            }
            throw e;
        }
        String host = address.getAddress().getHostAddress();
        URI uri = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + app.port());
        log.info("host control API listening on {}", uri);
        return new HostControlApi(app, uri);
    }

    private static long after(Context ctx) {
        String a = ctx.queryParam("after");
        if (a == null) {
            return 0;
        }
        try {
            return Long.parseLong(a);
        } catch (NumberFormatException e) {
            throw new ApiFailure(400, "bad_request", "after=" + a + " is not a number");
        }
    }

    /** Base URI, e.g. {@code http://127.0.0.1:41234}. */
    public URI uri() {
        return uri;
    }

    @Override
    public void close() {
        app.stop();
    }

    private static void answer(Context ctx, int status, String code, String message) {
        ctx.status(status).json(ApiError.of(code, message));
    }

    /** The body of {@code POST /api/v1/modules}. */
    public record LoadRequest(String path) {
    }

    /** An error a handler answers with. */
    private static final class ApiFailure extends RuntimeException {
        final int status;
        final String code;

        ApiFailure(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
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
                throw new ApiFailure(400, "bad_request", "malformed JSON: " + e.getOriginalMessage());
            }
        }
    }
}

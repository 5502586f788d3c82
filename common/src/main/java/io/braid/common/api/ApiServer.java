package io.braid.common.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Type;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The HTTP plumbing under Braid's local APIs: Javalin on a small Jetty pool, JSON through the
 * API's own mapper, a bearer token checked in constant time before every route, and one error
 * mapper that answers every failure as {@link ApiError} JSON with a stable code. The APIs
 * themselves ({@code ManagementApi}, {@code HostControlApi}) only add their routes.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final Javalin app;

    private ApiServer(Javalin app) {
        this.app = app;
    }

    /**
     * What one API is called and how it is served.
     *
     * @param name       for logs and messages, e.g. {@code management API}
     * @param threadName the Jetty pool's thread name prefix
     * @param maxThreads the Jetty pool's size
     * @param token      the bearer token every request must carry; never logged
     * @param tokenHint  where a user finds the token, for the 401 message
     * @param json       the API's JSON mapper (the CLI's client reads with the same one)
     */
    public record Settings(String name, String threadName, int maxThreads, String token, String tokenHint,
                           ObjectMapper json) {
        public Settings {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(json, "json");
        }

        @Override
        public String toString() {
            return "Settings[" + name + "]"; // never the token
        }
    }

    /**
     * Starts listening on {@code host:port} (port 0 picks a free one).
     *
     * @param routes adds the API's routes; handlers throw {@link ApiException} for errors
     * @throws BindException when the address is taken or cannot be bound
     */
    public static ApiServer start(Settings settings, String host, int port, Consumer<RoutesConfig> routes)
            throws BindException {
        byte[] expected = ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8);
        QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads(), 1);
        threads.setName(settings.threadName());
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.threadPool = threads;
            config.jsonMapper(new JacksonBridge(settings.json()));
            config.routes.before(ctx -> {
                String given = ctx.header("Authorization");
                // Constant-time comparison: the token must not leak through response timing.
                if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
                    throw new ApiException(401, "unauthorized",
                            "missing or wrong bearer token (see " + settings.tokenHint() + ")");
                }
            });
            routes.accept(config.routes);
            config.routes.exception(ApiException.class, (e, ctx) -> answer(ctx, e.status(), e.code(), e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) ->
                    answer(ctx, e.getStatus(), codeFor(e.getStatus()), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.warn("{}: {} {} failed", settings.name(), ctx.method(), ctx.path(), e);
                answer(ctx, 500, "internal", "internal error: " + e.getClass().getSimpleName());
            });
        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            app.stop();
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException || t.getClass().getSimpleName().contains("BindException")) {
                    BindException b = new BindException(settings.name() + " address " + host + ":" + port
                            + " is in use or cannot be bound");
                    b.initCause(e);
                    throw b;
                }
            }
            throw e;
        }
        return new ApiServer(app);
    }

    /** The port listened on (the real one when port 0 was asked). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static void answer(Context ctx, int status, String code, String message) {
        ctx.status(status).json(ApiError.of(code, message));
    }

    static String codeFor(int status) {
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

    /** Javalin's JSON hook backed by the API's mapper; a malformed body is a 400, not a 500. */
    private record JacksonBridge(ObjectMapper json) implements io.javalin.json.JsonMapper {
        @Override
        public String toJsonString(Object obj, Type type) {
            try {
                return json.writeValueAsString(obj);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON for " + type, e);
            }
        }

        @Override
        public <T> T fromJsonString(String text, Type targetType) {
            try {
                return json.readValue(text, json.constructType(targetType));
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
            }
        }
    }
}

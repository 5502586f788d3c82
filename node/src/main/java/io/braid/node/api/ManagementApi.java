package io.braid.node.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.braid.common.api.ApiException;
import io.braid.common.api.ApiServer;
import io.braid.node.HostPort;
import io.braid.node.PortInUseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.URI;

/**
 * The node's management HTTP API (version 1): thin handlers over a {@link NodeView}, records as
 * DTOs, bearer-token authentication on every route, and one error mapper that turns every failure
 * into {@link io.braid.common.api.ApiError} JSON with a stable code.
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

    private final ApiServer server;
    private final URI uri;

    private ManagementApi(ApiServer server, URI uri) {
        this.server = server;
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
        ApiServer server;
        try {
            server = ApiServer.start(new ApiServer.Settings("management API", "braid-api", 16, token,
                    "api-token in the data directory", JSON), address.host(), address.port(), routes -> {
                        routes.get(PREFIX + "/status", ctx -> ctx.json(node.status()));
                        routes.get(PREFIX + "/volumes", ctx -> ctx.json(node.volumes()));
                        routes.post(PREFIX + "/volumes/{name}/resize", ctx -> {
                            ResizeRequest r = ctx.bodyAsClass(ResizeRequest.class);
                            ctx.json(node.resizeVolume(ctx.pathParam("name"), sizeOf(r)));
                        });
                        routes.get(PREFIX + "/drives", ctx -> ctx.json(node.drives()));
                        routes.post(PREFIX + "/drives/{name}/fail",
                                ctx -> ctx.json(node.failDrive(ctx.pathParam("name"))));
                        routes.post(PREFIX + "/drives/{name}/replace",
                                ctx -> ctx.json(node.replaceDrive(ctx.pathParam("name"))));
                        routes.get(PREFIX + "/scrub", ctx -> ctx.json(node.scrub()));
                        routes.post(PREFIX + "/scrub", ctx -> ctx.json(node.startScrub()));
                        routes.get(PREFIX + "/portals", ctx -> ctx.json(node.portals()));
                        routes.post(PREFIX + "/portals/{address}/down",
                                ctx -> ctx.json(node.portalDown(ctx.pathParam("address"))));
                        routes.post(PREFIX + "/portals/{address}/up",
                                ctx -> ctx.json(node.portalUp(ctx.pathParam("address"))));
                    });
        } catch (BindException e) {
            throw new PortInUseException("management API address", address.toString(), e);
        }
        HostPort bound = address.withPort(server.port());
        URI uri = URI.create("http://" + bound);
        log.info("management API listening on {}", uri);
        return new ManagementApi(server, uri);
    }

    /** Base URI, e.g. {@code http://127.0.0.1:41234}; the real port when port 0 was asked. */
    public URI uri() {
        return uri;
    }

    @Override
    public void close() {
        server.close();
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
}

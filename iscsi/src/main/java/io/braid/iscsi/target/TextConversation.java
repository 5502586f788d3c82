package io.braid.iscsi.target;

import io.braid.iscsi.login.TextKeys;
import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.TextRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Text Request handling in the full-feature phase (RFC 7143 6.x, 11.10, 11.11): multi-PDU
 * requests (C bit), long responses split over several PDUs continued by the initiator with our
 * Target Transfer Tag, and the SendTargets key (appendix C) listing every portal of the node.
 * Confined to the connection's event loop.
 */
final class TextConversation {
    private static final Logger log = LoggerFactory.getLogger(TextConversation.class);
    /** Bound on a multi-PDU text request. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final TargetConnection connection;
    private final TargetServerConfig config;
    private final Supplier<List<Portal>> portals;

    private int itt = Pdu.RESERVED_TAG;
    private int ttt = Pdu.RESERVED_TAG;
    private ByteBuf request;
    private ByteBuf pending;

    TextConversation(TargetConnection connection, TargetServerConfig config, Supplier<List<Portal>> portals) {
        this.connection = connection;
        this.config = config;
        this.portals = portals;
    }

    void onRequest(TextRequest t) {
        try {
            handle(t);
        } finally {
            t.release();
        }
    }

    private void handle(TextRequest t) {
        boolean continuing = t.itt() == itt && t.ttt() != Pdu.RESERVED_TAG && t.ttt() == ttt;
        if (!continuing) {
            reset(); // RFC 7143 11.10.4: a new ITT with TTT 0xffffffff starts a new conversation
            itt = t.itt();
        }
        if (pending != null && continuing && t.data().readableBytes() == 0) {
            sendNext(t);
            return;
        }
        if (request == null) {
            request = connection.channel().alloc().buffer();
        }
        if (request.readableBytes() + t.data().readableBytes() > MAX_REQUEST_BYTES) {
            log.info("connection {}: text request over {} bytes; rejecting", connection.name(), MAX_REQUEST_BYTES);
            reset();
            connection.sendText(true, false, t.lun(), t.itt(), Pdu.RESERVED_TAG,
                    Unpooled.copiedBuffer("X-Braid-Error=TooLong\0", StandardCharsets.UTF_8));
            return;
        }
        request.writeBytes(t.data());
        if (t.cont()) {
            // RFC 7143 11.10.2: answer a C-bit PDU with an empty response and wait for the rest.
            ttt = connection.newTargetTransferTag();
            connection.sendText(false, false, t.lun(), t.itt(), ttt, Unpooled.EMPTY_BUFFER);
            return;
        }
        Map<String, String> keys;
        try {
            keys = TextKeys.parse(request);
        } catch (RuntimeException e) {
            log.info("connection {}: bad text request: {}", connection.name(), e.getMessage());
            reset();
            connection.sendText(true, false, t.lun(), t.itt(), Pdu.RESERVED_TAG, Unpooled.EMPTY_BUFFER);
            return;
        }
        request.release();
        request = null;
        StringBuilder answer = new StringBuilder();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            String key = e.getKey();
            if (key.equals("SendTargets")) {
                sendTargets(e.getValue(), answer);
            } else if (key.startsWith("X-") || key.startsWith("X#")) {
                answer.append(key).append("=NotUnderstood\0");
            } else {
                // Operational keys are settled at login; renegotiation in full feature phase is refused.
                answer.append(key).append("=").append(TextKeys.isKnown(key) ? "Reject" : "NotUnderstood").append('\0');
            }
        }
        pending = Unpooled.copiedBuffer(answer, StandardCharsets.UTF_8);
        sendNext(t);
    }

    private void sendNext(TextRequest t) {
        int max = connection.params().initiatorMaxRecvDataSegmentLength();
        int n = Math.min(max, pending.readableBytes());
        ByteBuf chunk = pending.readRetainedSlice(n);
        boolean more = pending.isReadable();
        if (more) {
            ttt = connection.newTargetTransferTag();
            connection.sendText(false, true, t.lun(), t.itt(), ttt, chunk);
        } else {
            pending.release();
            pending = null;
            ttt = Pdu.RESERVED_TAG;
            itt = Pdu.RESERVED_TAG;
            connection.sendText(true, false, t.lun(), t.itt(), Pdu.RESERVED_TAG, chunk);
        }
    }

    /**
     * SendTargets (RFC 7143 appendix C): "All" in a discovery session lists every target this
     * initiator may use; a target name lists that one; an empty value in a normal session lists
     * the session's own target. Each target with every portal as {@code address:port,tpgt}.
     */
    private void sendTargets(String value, StringBuilder answer) {
        Session session = connection.session();
        for (TargetDefinition target : config.targets()) {
            boolean wanted;
            if (value.equals("All")) {
                wanted = session.discovery();
            } else if (value.isEmpty()) {
                wanted = !session.discovery() && target.iqn().equals(session.targetName());
            } else {
                wanted = target.iqn().equals(value);
            }
            if (!wanted || !target.allows(session.initiatorName())) {
                continue;
            }
            answer.append("TargetName=").append(target.iqn()).append('\0');
            for (Portal p : portals.get()) {
                answer.append("TargetAddress=").append(address(p)).append(':').append(p.port())
                        .append(',').append(p.tpgt()).append('\0');
            }
        }
    }

    /** The portal's host as the initiator can reach it: a wildcard becomes this connection's address. */
    private String address(Portal p) {
        String host = p.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            InetSocketAddress local = (InetSocketAddress) connection.channel().localAddress();
            host = local.getAddress().getHostAddress();
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return host;
    }

    private void reset() {
        if (request != null) {
            request.release();
            request = null;
        }
        if (pending != null) {
            pending.release();
            pending = null;
        }
        ttt = Pdu.RESERVED_TAG;
        itt = Pdu.RESERVED_TAG;
    }

    void release() {
        reset();
    }
}

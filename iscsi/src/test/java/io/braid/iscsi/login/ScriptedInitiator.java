package io.braid.iscsi.login;

import io.braid.iscsi.pdu.LoginRequest;
import io.braid.iscsi.pdu.LoginResponse;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays the initiator's side of a login against a {@link TargetLogin}: builds Login Requests
 * with a fixed ISID/TSIH/CID/CmdSN, a fresh ITT each time, and ExpStatSN acknowledging the
 * last response, and records what came back.
 */
final class ScriptedInitiator {
    static final long ISID = 0x400001370000L;
    static final String NAME = "iqn.2024-01.org.example:host1";

    private final TargetLogin login;
    long isid = ISID;
    int tsih;
    int cid = 1;
    int cmdSn = 100;
    int itt = 0x10;
    int versionMax = 0;
    int versionMin = 0;
    Integer expStatSn;
    final List<LoginStep> steps = new ArrayList<>();

    ScriptedInitiator(TargetLogin login) {
        this.login = login;
    }

    LoginStep send(boolean transit, boolean cont, int csg, int nsg, String... pairs) {
        return sendRaw(transit, cont, csg, nsg, text(pairs));
    }

    LoginStep sendRaw(boolean transit, boolean cont, int csg, int nsg, byte[] data) {
        LoginRequest req = new LoginRequest(transit, cont, csg, nsg, versionMax, versionMin, isid, tsih, itt++, cid,
                cmdSn, expStatSn == null ? 0 : expStatSn, Unpooled.wrappedBuffer(data));
        try {
            LoginStep step = login.onRequest(req);
            steps.add(step);
            expStatSn = step.response().statSn() + 1;
            return step;
        } finally {
            req.release();
        }
    }

    static byte[] text(String... pairs) {
        List<KeyValue> list = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            list.add(new KeyValue(pairs[i], pairs[i + 1]));
        }
        return TextKeys.encode(list);
    }

    /** The response's keys in order; the response's buffer is released. */
    static Map<String, String> keys(LoginStep step) {
        LoginResponse r = step.response();
        byte[] data = TextKeys.bytesOf(r.data());
        r.release();
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValue kv : TextKeys.parsePairs(data, false)) {
            out.put(kv.key(), kv.value());
        }
        return out;
    }

    static String string(LoginResponse r) {
        return r.data().toString(StandardCharsets.UTF_8);
    }
}

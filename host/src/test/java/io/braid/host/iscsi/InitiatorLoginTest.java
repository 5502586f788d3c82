package io.braid.host.iscsi;

import io.braid.iscsi.login.InitiatorNegotiator;
import io.braid.iscsi.login.LoginStatus;
import io.braid.iscsi.login.LoginStep;
import io.braid.iscsi.login.SessionDirectory;
import io.braid.iscsi.login.TargetLogin;
import io.braid.iscsi.pdu.LoginRequest;
import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.iscsi.target.Portal;
import io.braid.iscsi.target.TargetDefinition;
import io.braid.iscsi.target.TargetServerConfig;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The initiator's login conversation played against Braid's target login state machine in
 * memory, and against hand-made responses of a target that breaks the rules.
 */
class InitiatorLoginTest {
    static final String TARGET = "iqn.2026-11.io.braid:t1";
    static final String INITIATOR = "iqn.2026-11.io.braid.test:login";
    static final Portal PORTAL = new Portal("127.0.0.1", 3260, 3);
    static final long ISID = 0x80123456_0001L;

    static final SessionDirectory NO_SESSIONS = new SessionDirectory() {
        @Override
        public SessionSnapshot find(int tsih) {
            return null;
        }

        @Override
        public int allocateTsih() {
            return 42;
        }
    };

    static TargetLogin target(AuthConfig auth) {
        TargetServerConfig config = TargetServerConfig.of(List.of(PORTAL),
                List.of(new TargetDefinition(TARGET, "disk", null, List.of())), auth);
        return TargetLogin.create(config, PORTAL, NO_SESSIONS);
    }

    static InitiatorLogin initiator(String targetName, Authentication auth) {
        return new InitiatorLogin(INITIATOR, "host", targetName, ISID, 7, 1, 100, auth,
                InitiatorNegotiator.Preferences.defaults());
    }

    /** Plays the two sides to the end; returns the initiator's last step. */
    static InitiatorLogin.Step play(InitiatorLogin i, TargetLogin t) {
        LoginRequest req = i.first();
        for (int n = 0; n < 20; n++) {
            LoginStep step;
            try {
                step = t.onRequest(req);
            } finally {
                req.release();
            }
            LoginResponse r = step.response();
            InitiatorLogin.Step s;
            try {
                s = i.onResponse(r);
            } finally {
                r.release();
            }
            if (!(s instanceof InitiatorLogin.Send send)) {
                return s;
            }
            req = send.request();
        }
        throw new AssertionError("login did not end");
    }

    @Test
    void withoutAuthentication() {
        InitiatorLogin.Step s = play(initiator(TARGET, Authentication.NONE), target(AuthConfig.NONE));
        assertThat(s).isInstanceOfSatisfying(InitiatorLogin.Complete.class, c -> {
            assertThat(c.result().tsih()).isEqualTo(42);
            assertThat(c.result().tpgt()).isEqualTo(3);
            assertThat(c.result().targetAlias()).isEqualTo("disk");
            assertThat(c.result().expCmdSn()).isEqualTo(100);
            assertThat(c.result().parameters().immediateData()).isTrue();
            assertThat(c.result().parameters().initialR2T()).isFalse();
        });
    }

    @Test
    void chapAndMutualChap() {
        ChapCredentials host = new ChapCredentials("host", "host-secret-12");
        ChapCredentials array = new ChapCredentials("array", "array-secret-12");
        AuthConfig auth = new AuthConfig(host, array, Map.of());
        assertThat(play(initiator(TARGET, Authentication.chap("host", "host-secret-12")), target(auth)))
                .isInstanceOf(InitiatorLogin.Complete.class);
        InitiatorLogin mutual = initiator(TARGET, Authentication.mutualChap("host", "host-secret-12", "array", "array-secret-12"));
        assertThat(play(mutual, target(auth))).isInstanceOf(InitiatorLogin.Complete.class);
        assertThat(mutual.phase()).isEqualTo(InitiatorLogin.Phase.DONE);
        // One-way CHAP offered to a target that asks for nothing: it picks None and the login goes on.
        assertThat(play(initiator(TARGET, Authentication.chap("host", "host-secret-12")), target(AuthConfig.NONE)))
                .isInstanceOf(InitiatorLogin.Complete.class);
        // Mutual CHAP never lets a target skip proving itself.
        InitiatorLogin.Step s = play(initiator(TARGET, Authentication.mutualChap("host", "host-secret-12", "array",
                "array-secret-12")), target(AuthConfig.NONE));
        assertThat(s).isInstanceOfSatisfying(InitiatorLogin.Failed.class,
                f -> assertThat(f.failure().status()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE));
    }

    @Test
    void discoverySession() {
        InitiatorLogin.Step s = play(initiator(null, Authentication.NONE), target(AuthConfig.NONE));
        assertThat(s).isInstanceOf(InitiatorLogin.Complete.class);
    }

    @Test
    void refusals() {
        InitiatorLogin.Step unknown = play(initiator("iqn.2026-11.io.braid:nope", Authentication.NONE),
                target(AuthConfig.NONE));
        assertThat(unknown).isInstanceOfSatisfying(InitiatorLogin.Failed.class, f -> {
            assertThat(f.failure().status()).isEqualTo(LoginStatus.NOT_FOUND);
            assertThat(f.failure()).hasMessage("target refused the login: 0x0203 not found");
            assertThat(f.redirect()).isNull();
        });
        InitiatorLogin.Step noCredentials = play(initiator(TARGET, Authentication.NONE),
                target(new AuthConfig(new ChapCredentials("host", "host-secret-12"), null, Map.of())));
        assertThat(noCredentials).isInstanceOfSatisfying(InitiatorLogin.Failed.class,
                f -> assertThat(f.failure().authenticationFailure()).isTrue());
    }

    static LoginResponse response(boolean transit, boolean cont, int csg, int nsg, int statusClass, int statusDetail,
                                  long isid, String text) {
        return new LoginResponse(transit, cont, csg, nsg, 0, 0, isid, 0, 7, 1, 100, 110, statusClass, statusDetail,
                Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aTargetBreakingTheRulesEndsTheLogin() {
        InitiatorLogin i = initiator(TARGET, Authentication.NONE);
        i.first().release();
        InitiatorLogin.Step s = i.onResponse(response(true, true, 0, 1, 0, 0, ISID, ""));
        assertThat(s).isInstanceOfSatisfying(InitiatorLogin.Failed.class, f -> {
            assertThat(f.failure().status()).isEqualTo(LoginStatus.TARGET_ERROR);
            assertThat(f.failure()).hasMessage("Login Response with both T and C set (RFC 7143 11.13.2)");
        });

        InitiatorLogin other = initiator(TARGET, Authentication.NONE);
        other.first().release();
        assertThat(other.onResponse(response(true, false, 0, 1, 0, 0, 0x1234, "")))
                .isInstanceOfSatisfying(InitiatorLogin.Failed.class, f -> assertThat(f.failure().getMessage())
                        .isEqualTo("Login Response ISID 0x000000001234; expected 0x801234560001"));

        InitiatorLogin redirected = initiator(TARGET, Authentication.NONE);
        redirected.first().release();
        assertThat(redirected.onResponse(response(false, false, 0, 0, 1, 1, ISID, "TargetAddress=10.0.0.9:3261,2\0")))
                .isInstanceOfSatisfying(InitiatorLogin.Failed.class, f -> {
                    assertThat(f.redirect()).isEqualTo("10.0.0.9:3261,2");
                    assertThat(f.failure().status()).isEqualTo(LoginStatus.TARGET_MOVED_TEMPORARILY);
                });

        // A split response is collected with an empty request.
        InitiatorLogin split = initiator(TARGET, Authentication.NONE);
        split.first().release();
        InitiatorLogin.Step more = split.onResponse(response(false, true, 0, 0, 0, 0, ISID, "AuthMeth"));
        assertThat(more).isInstanceOfSatisfying(InitiatorLogin.Send.class, x -> {
            assertThat(x.request().data().readableBytes()).isZero();
            assertThat(x.request().transit()).isFalse();
            x.request().release();
        });
        InitiatorLogin.Step next = split.onResponse(response(true, false, 0, 1, 0, 0, ISID, "od=None\0"));
        assertThat(next).isInstanceOfSatisfying(InitiatorLogin.Send.class, x -> {
            assertThat(x.request().csg()).isEqualTo(1);
            assertThat(x.request().nsg()).isEqualTo(3);
            assertThat(x.request().transit()).isTrue();
            x.request().release();
        });
    }
}

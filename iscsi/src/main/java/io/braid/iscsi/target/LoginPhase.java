package io.braid.iscsi.target;

import io.braid.iscsi.login.LoginResult;
import io.braid.iscsi.login.LoginStep;
import io.braid.iscsi.login.SessionDirectory;
import io.braid.iscsi.login.SessionType;
import io.braid.iscsi.login.TargetLogin;
import io.braid.iscsi.pdu.LoginRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * Drives the login phase of one connection (RFC 7143 6): feeds Login Requests to
 * {@link TargetLogin}, sends its responses, and on success creates, reinstates or joins the
 * session (RFC 7143 6.3.5 session reinstatement, 5.3.4 connection reinstatement) before the
 * connection enters the full-feature phase. Confined to the connection's event loop.
 */
final class LoginPhase implements SessionDirectory {
    private static final Logger log = LoggerFactory.getLogger(LoginPhase.class);

    private final TargetConnection connection;
    private final Portal portal;
    private final TargetServerConfig config;
    private final SessionRegistry registry;
    private final TargetLogin login;

    LoginPhase(TargetConnection connection, Portal portal, TargetServerConfig config, SessionRegistry registry) {
        this.connection = connection;
        this.portal = portal;
        this.config = config;
        this.registry = registry;
        this.login = TargetLogin.create(config, portal, this);
    }

    void onRequest(LoginRequest req) {
        LoginStep step;
        try {
            step = login.onRequest(req);
        } finally {
            req.release();
        }
        switch (step) {
            case LoginStep.Continue c -> connection.sendLogin(c.response());
            case LoginStep.Failed f -> {
                log.info("connection {}: login refused ({}): {}", connection.name(), f.status(), f.reason());
                connection.sendLogin(f.response());
                connection.close("login failed");
            }
            case LoginStep.Complete c -> complete(c);
        }
    }

    private void complete(LoginStep.Complete c) {
        LoginResult r = c.result();
        if (registry.isShuttingDown()) {
            connection.close("target shutting down");
            return;
        }
        Session session;
        if (r.newSession()) {
            String targetName = r.target() == null ? null : r.target().iqn();
            Session old = registry.find(r.initiatorName(), r.isid(), targetName);
            if (old != null) {
                // Session reinstatement: the old session's tasks end, its connections close.
                log.info("connection {}: reinstating {}", connection.name(), old);
                old.drop("session reinstated");
            }
            session = new Session(registry, r.tsih(), r.isid(), r.initiatorName(), r.target(), portal,
                    r.parameters(), config.cmdWindow(), r.expCmdSn());
            registry.add(session);
            if (session.nexus() != null) {
                r.target().scsi().nexusAdded(session.nexus());
            }
        } else {
            session = registry.get(r.tsih());
            if (session == null) {
                connection.close("session vanished during login");
                return;
            }
            TargetConnection old = session.connection(r.cid());
            if (old != null) {
                // Connection reinstatement (RFC 7143 6.3.4): the old connection with this CID goes.
                old.close("connection reinstated");
            }
        }
        session.addConnection(connection);
        connection.sendLogin(c.response());
        connection.loggedIn(session, r.cid(), r.parameters(), r.nextStatSn());
        log.info("connection {}: {} session tsih={} initiator={}{}{}", connection.name(),
                r.sessionType() == SessionType.DISCOVERY ? "discovery" : "normal", r.tsih(), r.initiatorName(),
                r.target() == null ? "" : " target=" + r.target().iqn(),
                r.authenticatedUser() == null ? "" : " chap-user=" + r.authenticatedUser());
    }

    @Override
    public SessionSnapshot find(int tsih) {
        Session s = registry.get(tsih);
        if (s == null) {
            return null;
        }
        Set<Integer> cids = new HashSet<>();
        s.forEachConnection(c -> cids.add(c.cid()));
        return new SessionSnapshot(s.tsih(), s.initiatorName(), s.isid(), s.targetName(),
                s.discovery() ? SessionType.DISCOVERY : SessionType.NORMAL, cids, s.params(),
                s.expCmdSn(), s.maxCmdSn());
    }

    @Override
    public int allocateTsih() {
        return registry.allocateTsih();
    }
}

package io.braid.iscsi.target;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's session table (RFC 7143 4.4.3): sessions by TSIH, identified for reinstatement by
 * initiator name + ISID + target name (the I_T nexus of RFC 7143 4.4.1).
 */
public final class SessionRegistry {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private final Map<Integer, Session> byTsih = new ConcurrentHashMap<>();
    private int nextTsih = 1;
    private boolean shuttingDown;

    /** Allocates a TSIH not in use: 16 bits, never 0 (RFC 7143 11.12.6). */
    synchronized int allocateTsih() {
        for (int i = 0; i < 0xffff; i++) {
            int t = nextTsih;
            nextTsih = nextTsih == 0xffff ? 1 : nextTsih + 1;
            if (!byTsih.containsKey(t)) {
                return t;
            }
        }
        throw new IllegalStateException("no free TSIH: 65535 sessions open");
    }

    synchronized boolean isShuttingDown() {
        return shuttingDown;
    }

    /** A live session by TSIH, or null. */
    public Session get(int tsih) {
        return byTsih.get(tsih);
    }

    /** The live session for this initiator port and target, or null (for reinstatement). */
    synchronized Session find(String initiatorName, long isid, String targetName) {
        for (Session s : byTsih.values()) {
            if (s.isid() == isid && s.initiatorName().equals(initiatorName)
                    && java.util.Objects.equals(s.targetName(), targetName)) {
                return s;
            }
        }
        return null;
    }

    synchronized void add(Session session) {
        byTsih.put(session.tsih(), session);
    }

    void remove(Session session) {
        byTsih.remove(session.tsih(), session);
    }

    /** Live sessions, for status reporting. */
    public List<Session> list() {
        return new ArrayList<>(byTsih.values());
    }

    /**
     * Asks every session to log out (Async Message "logout requested"), waits up to
     * {@code waitMillis} for them to go, then drops the rest.
     */
    void shutdownAll(long waitMillis) {
        List<Session> all;
        synchronized (this) {
            shuttingDown = true;
            all = new ArrayList<>(byTsih.values());
        }
        if (all.isEmpty()) {
            return;
        }
        for (Session s : all) {
            s.requestLogout((int) TimeUnit.MILLISECONDS.toSeconds(waitMillis) + 1);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (!byTsih.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Session s : new ArrayList<>(byTsih.values())) {
            log.info("session tsih={} of {} did not log out in time; closing", s.tsih(), s.initiatorName());
            s.drop("target shutting down");
        }
    }
}

package io.braid.iscsi.target;

import io.braid.iscsi.login.NegotiatedParameters;
import io.braid.iscsi.pdu.Pdu;
import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.iscsi.pdu.SerialNumbers;
import io.braid.scsi.Nexus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * One iSCSI session (RFC 7143 3.3, 4.2.2): its identity, negotiated parameters, connections, and
 * the session-wide command numbering that delivers non-immediate commands to execution in CmdSN
 * order, whatever connection they came on.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final SessionRegistry registry;
    private final int tsih;
    private final long isid;
    private final String initiatorName;
    private final TargetDefinition target;
    private final NegotiatedParameters params;
    private final Nexus nexus;
    private final int window;
    private final List<TargetConnection> connections = new CopyOnWriteArrayList<>();
    private final Map<Integer, Queued> waiting = new HashMap<>();

    private int expCmdSn;
    private int maxCmdSn;
    private int inFlight;
    /** Written under the monitor; volatile so a connection can check it per command without it. */
    private volatile boolean ended;

    private record Queued(TargetConnection connection, Pdu pdu) {
    }

    /**
     * A CmdSN slot that counts as received but delivers nothing: a command task management aborted
     * while it waited for its turn, or one an ABORT TASK says was sent (RFC 7143 11.5.1 b).
     */
    private static final Queued SKIP = new Queued(null, null);

    Session(SessionRegistry registry, int tsih, long isid, String initiatorName,
            TargetDefinition target, Portal portal, NegotiatedParameters params, int window, int firstCmdSn) {
        this.registry = registry;
        this.tsih = tsih;
        this.isid = isid;
        this.initiatorName = initiatorName;
        this.target = target;
        this.params = params;
        this.window = Math.max(1, window);
        this.expCmdSn = firstCmdSn;
        this.maxCmdSn = firstCmdSn + this.window - 1;
        this.nexus = target == null ? null : new Nexus(
                initiatorName + ",i,0x" + String.format("%012x", isid),
                initiatorName,
                target.iqn() + ",t,0x" + String.format("%04x", portal.tpgt()),
                portal.tpgt(), portal.tpgt());
    }

    public int tsih() {
        return tsih;
    }

    public long isid() {
        return isid;
    }

    public String initiatorName() {
        return initiatorName;
    }

    /** The target name, or null for a discovery session. */
    public String targetName() {
        return target == null ? null : target.iqn();
    }

    TargetDefinition target() {
        return target;
    }

    public boolean discovery() {
        return target == null;
    }

    public NegotiatedParameters params() {
        return params;
    }

    /** The I_T nexus of a normal session; null for discovery. */
    public Nexus nexus() {
        return nexus;
    }

    public int connectionCount() {
        return connections.size();
    }

    synchronized int expCmdSn() {
        return expCmdSn;
    }

    synchronized int maxCmdSn() {
        return maxCmdSn;
    }

    void addConnection(TargetConnection c) {
        connections.add(c);
    }

    void forEachConnection(java.util.function.Consumer<TargetConnection> action) {
        connections.forEach(action);
    }

    TargetConnection connection(int cid) {
        for (TargetConnection c : connections) {
            if (c.cid() == cid) {
                return c;
            }
        }
        return null;
    }

    /**
     * Removes a closed connection; the session ends with its last connection (ErrorRecoveryLevel
     * 0 keeps no state for reconnection).
     */
    void removeConnection(TargetConnection c) {
        connections.remove(c);
        if (connections.isEmpty()) {
            end();
        }
    }

    /** Whether the session has ended: a command still arriving on one of its connections is dropped. */
    boolean hasEnded() {
        return ended;
    }

    /**
     * Ends the session now, before its connections close: a logout that closes the session calls
     * it before the Logout Response leaves (RFC 7143 11.14), so the I_T nexus is gone — its tasks
     * aborted and the reservations it held released (SPC-4 "I_T nexus loss") — by the time the
     * initiator has the answer and sends its next command on another session. Harmless when the
     * session has ended already.
     */
    void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            waiting.values().forEach(q -> {
                if (q.pdu() != null) {
                    q.pdu().release();
                }
            });
            waiting.clear();
        }
        registry.remove(this);
        if (nexus != null) {
            target.scsi().nexusRemoved(nexus);
        }
        log.info("session tsih={} initiator={} target={} ended", tsih, initiatorName,
                target == null ? "(discovery)" : target.iqn());
    }

    /**
     * Orders a PDU that carries a CmdSN (RFC 7143 4.2.2.1). Immediate PDUs are delivered at once;
     * others in CmdSN order; those outside [ExpCmdSN, MaxCmdSN] or already seen are silently
     * ignored as the RFC requires. Called on {@code from}'s event loop.
     */
    void sequence(TargetConnection from, Pdu pdu, int cmdSn, boolean immediate) {
        if (immediate) {
            from.deliver(pdu);
            return;
        }
        List<Queued> ready;
        synchronized (this) {
            if (cmdSn == expCmdSn && waiting.isEmpty()) {
                // The usual case, commands arriving in order: nothing queued to deliver with it.
                expCmdSn++;
                ready = null;
            } else if (cmdSn == expCmdSn) {
                ready = new ArrayList<>(2);
                ready.add(new Queued(from, pdu));
                advance(ready);
            } else if (SerialNumbers.inWindow(cmdSn, expCmdSn + 1, maxCmdSn)
                    && !waiting.containsKey(cmdSn)) {
                waiting.put(cmdSn, new Queued(from, pdu));
                return;
            } else {
                log.debug("tsih={}: ignoring {} with CmdSN {} outside window [{}, {}]", tsih,
                        pdu.opcode(), Integer.toUnsignedString(cmdSn),
                        Integer.toUnsignedString(expCmdSn), Integer.toUnsignedString(maxCmdSn));
                pdu.release();
                return;
            }
        }
        if (ready == null) {
            from.deliver(pdu);
        } else {
            deliver(from, ready);
        }
    }

    /** Moves ExpCmdSN past the slot just filled and over every waiting slot that follows it. */
    private void advance(List<Queued> ready) {
        expCmdSn++;
        Queued next;
        while ((next = waiting.remove(expCmdSn)) != null) {
            ready.add(next);
            expCmdSn++;
        }
    }

    private static void deliver(TargetConnection from, List<Queued> ready) {
        for (Queued q : ready) {
            if (q == SKIP || q.pdu() == null) {
                continue;
            }
            if (q.connection() == from) {
                from.deliver(q.pdu());
            } else {
                q.connection().deliverLater(q.pdu());
            }
        }
    }

    /**
     * Task management over commands still waiting for their CmdSN turn (they are in the task set
     * already): each one {@code which} selects is released and its slot kept, so numbering goes on
     * and the command never runs. Returns how many were aborted.
     */
    synchronized int abortWaiting(Predicate<ScsiCommand> which) {
        int n = 0;
        for (Map.Entry<Integer, Queued> e : waiting.entrySet()) {
            if (e.getValue().pdu() instanceof ScsiCommand c && which.test(c)) {
                c.release();
                e.setValue(SKIP);
                n++;
            }
        }
        return n;
    }

    /** Whether a command {@code which} selects waits for its CmdSN turn (QUERY TASK, QUERY TASK SET). */
    synchronized boolean hasWaiting(Predicate<ScsiCommand> which) {
        for (Queued q : waiting.values()) {
            if (q.pdu() instanceof ScsiCommand c && which.test(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 7143 11.5.1 ABORT TASK b): the referenced task is unknown, but RefCmdSN lies in the
     * command window and before the TMF's own CmdSN, so the target takes that CmdSN as received
     * (the command, should it still come, is ignored as a duplicate) and answers "Function
     * complete". Returns false when RefCmdSN does not qualify ("Task does not exist"). Called on
     * {@code from}'s event loop; commands the filled slot unblocks are delivered.
     */
    boolean considerReceived(TargetConnection from, int refCmdSn, int tmfCmdSn) {
        List<Queued> ready = new ArrayList<>(0);
        synchronized (this) {
            if (!SerialNumbers.inWindow(refCmdSn, expCmdSn, maxCmdSn)
                    || !SerialNumbers.lessThan(refCmdSn, tmfCmdSn) || waiting.containsKey(refCmdSn)) {
                return false;
            }
            if (refCmdSn == expCmdSn) {
                advance(ready);
            } else {
                waiting.put(refCmdSn, SKIP);
            }
        }
        log.debug("tsih={}: CmdSN {} taken as received for ABORT TASK", tsih, Integer.toUnsignedString(refCmdSn));
        deliver(from, ready);
        return true;
    }

    /** A SCSI task started executing: the command window narrows. */
    synchronized void taskStarted() {
        inFlight++;
    }

    /** A SCSI task finished: the window opens again (MaxCmdSN never moves back). */
    synchronized void taskFinished() {
        inFlight = Math.max(0, inFlight - 1);
        refreshWindow();
    }

    /** Recomputes MaxCmdSN after ExpCmdSN moved. */
    synchronized void refreshWindow() {
        int candidate = expCmdSn - 1 + Math.max(1, window - inFlight);
        if (SerialNumbers.greaterThan(candidate, maxCmdSn)) {
            maxCmdSn = candidate;
        }
    }

    /** Asks the initiator to log out within {@code seconds} (Async Message event 1). */
    void requestLogout(int seconds) {
        for (TargetConnection c : connections) {
            c.requestLogout(seconds);
        }
    }

    /** Closes every connection of the session. */
    void drop(String reason) {
        for (TargetConnection c : connections) {
            c.close(reason);
        }
    }

    @Override
    public String toString() {
        return "Session[tsih=" + tsih + ", initiator=" + initiatorName + ", isid=0x"
                + String.format("%012x", isid) + ", target=" + (target == null ? "(discovery)" : target.iqn()) + "]";
    }
}

package io.braid.scsi.internal;

import io.braid.scsi.AsymmetricAccessState;
import io.braid.scsi.Nexus;
import io.braid.scsi.TargetPortGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The target's target port groups and their asymmetric access states (SPC-5 "Asymmetric logical
 * unit access"). One state per group, shared by every logical unit and every path, so each I_T
 * nexus reads the same groups and states. Every transition is allowed, explicit ones only to the
 * states {@link AsymmetricAccessState#explicitlySettable}; each is logged as {@code tpg N: FROM -> TO}.
 */
final class AccessStates implements TargetPortGroups {

    private static final Logger log = LoggerFactory.getLogger(AccessStates.class);

    /** SPC-5 REPORT TARGET PORT GROUPS STATUS CODE: why the group is in its state. */
    static final int STATUS_NONE = 0x00;
    static final int STATUS_EXPLICIT = 0x01;
    static final int STATUS_IMPLICIT = 0x02;

    /** One group as REPORT TARGET PORT GROUPS describes it. */
    record Group(int id, AsymmetricAccessState state, int statusCode, Set<Integer> relativePorts) {
    }

    private final TreeMap<Integer, MutableGroup> groups = new TreeMap<>();
    private final Map<Integer, Integer> groupOfPort = new TreeMap<>();
    /** Relative target ports in the offline secondary state. */
    private final Set<Integer> offlinePorts = new TreeSet<>();
    /** Establishes ASYMMETRIC ACCESS STATE CHANGED for every nexus except the one given (may be null). */
    private final Consumer<Nexus> announce;

    private static final class MutableGroup {
        AsymmetricAccessState state = AsymmetricAccessState.ACTIVE_OPTIMIZED;
        int statusCode = STATUS_NONE;
        final TreeSet<Integer> ports = new TreeSet<>();
    }

    /** @param announce called after a change with the nexus that asked for it (null for implicit) */
    AccessStates(Consumer<Nexus> announce) {
        this.announce = Objects.requireNonNull(announce, "announce");
    }

    @Override
    public synchronized void addTargetPort(int targetPortGroup, int relativeTargetPortId) {
        if (targetPortGroup < 0 || targetPortGroup > 0xFFFF) {
            throw new IllegalArgumentException("target port group " + targetPortGroup + " out of range 0..65535");
        }
        if (relativeTargetPortId < 1 || relativeTargetPortId > 0xFFFF) {
            throw new IllegalArgumentException("relative target port " + relativeTargetPortId + " out of range 1..65535");
        }
        Integer existing = groupOfPort.get(relativeTargetPortId);
        if (existing != null && existing != targetPortGroup) {
            throw new IllegalArgumentException("relative target port " + relativeTargetPortId
                    + " is already in target port group " + existing + ", not " + targetPortGroup);
        }
        groupOfPort.put(relativeTargetPortId, targetPortGroup);
        groups.computeIfAbsent(targetPortGroup, g -> new MutableGroup()).ports.add(relativeTargetPortId);
    }

    /** Learns the port an I_T nexus came through; a nexus with unusable identifiers is only logged. */
    void learn(Nexus nexus) {
        try {
            addTargetPort(nexus.targetPortGroup(), nexus.relativeTargetPortId());
        } catch (IllegalArgumentException e) {
            log.warn("nexus {}: not listed in REPORT TARGET PORT GROUPS: {}", nexus.initiatorPort(), e.getMessage());
        }
    }

    @Override
    public synchronized AsymmetricAccessState state(int targetPortGroup) {
        MutableGroup g = groups.get(targetPortGroup);
        return g == null ? AsymmetricAccessState.ACTIVE_OPTIMIZED : g.state;
    }

    /**
     * The state commands through the nexus's target port meet: offline when the port is, else its
     * group's (SPC-5: the secondary state overrides the primary one).
     */
    synchronized AsymmetricAccessState effectiveState(Nexus nexus) {
        if (!offlinePorts.isEmpty() && offlinePorts.contains(nexus.relativeTargetPortId())) {
            return AsymmetricAccessState.OFFLINE;
        }
        return state(nexus.targetPortGroup());
    }

    @Override
    public void setOffline(int relativeTargetPortId, boolean offline) {
        boolean changed;
        synchronized (this) {
            if (!groupOfPort.containsKey(relativeTargetPortId)) {
                throw new IllegalArgumentException("relative target port " + relativeTargetPortId + " is not known");
            }
            changed = changeOffline(relativeTargetPortId, offline, STATUS_IMPLICIT);
        }
        if (changed) {
            announce.accept(null);
        }
    }

    @Override
    public synchronized boolean isOffline(int relativeTargetPortId) {
        return offlinePorts.contains(relativeTargetPortId);
    }

    /** Whether SET TARGET PORT GROUPS may name this relative target port (offline descriptors). */
    synchronized boolean knownPort(int relativeTargetPortId) {
        return groupOfPort.containsKey(relativeTargetPortId);
    }

    /** How many target ports the target has (declared or seen): MULTIP in standard INQUIRY. */
    synchronized int portCount() {
        return groupOfPort.size();
    }

    private boolean changeOffline(int port, boolean offline, int status) {
        boolean changed = offline ? offlinePorts.add(port) : offlinePorts.remove(port);
        if (changed) {
            log.info("target port {}: {} ({})", port, offline ? "offline" : "online",
                    status == STATUS_EXPLICIT ? "explicit" : "implicit");
        }
        return changed;
    }

    @Override
    public void transition(int targetPortGroup, AsymmetricAccessState state) {
        Objects.requireNonNull(state, "state");
        if (state.secondary()) {
            throw new IllegalArgumentException(state + " is a state of a target port, not of group " + targetPortGroup);
        }
        boolean changed;
        synchronized (this) {
            MutableGroup g = groups.get(targetPortGroup);
            if (g == null) {
                throw new IllegalArgumentException("target port group " + targetPortGroup + " is not known");
            }
            changed = change(targetPortGroup, g, state, STATUS_IMPLICIT);
        }
        if (changed) {
            announce.accept(null);
        }
    }

    /** Whether SET TARGET PORT GROUPS may name this group. */
    synchronized boolean known(int targetPortGroup) {
        return groups.containsKey(targetPortGroup);
    }

    /**
     * SET TARGET PORT GROUPS: applies already validated changes together; every nexus except
     * {@code requester} learns of them (SPC-5 "Explicit asymmetric logical unit access management").
     */
    void setExplicitly(Map<Integer, AsymmetricAccessState> changes, Set<Integer> portsOffline, Nexus requester) {
        boolean changed = false;
        synchronized (this) {
            for (Map.Entry<Integer, AsymmetricAccessState> e : changes.entrySet()) {
                MutableGroup g = groups.get(e.getKey());
                if (g == null || !e.getValue().explicitlySettable() || e.getValue().secondary()) {
                    throw new IllegalArgumentException("target port group " + e.getKey() + " cannot take " + e.getValue());
                }
            }
            for (int port : portsOffline) {
                if (!groupOfPort.containsKey(port)) {
                    throw new IllegalArgumentException("relative target port " + port + " is not known");
                }
            }
            for (Map.Entry<Integer, AsymmetricAccessState> e : changes.entrySet()) {
                changed |= change(e.getKey(), groups.get(e.getKey()), e.getValue(), STATUS_EXPLICIT);
            }
            for (int port : portsOffline) {
                changed |= changeOffline(port, true, STATUS_EXPLICIT);
            }
        }
        if (changed) {
            announce.accept(requester);
        }
    }

    private static boolean change(int id, MutableGroup g, AsymmetricAccessState to, int status) {
        if (g.state == to) {
            return false;
        }
        log.info("tpg {}: {} -> {} ({})", id, g.state, to, status == STATUS_EXPLICIT ? "explicit" : "implicit");
        g.state = to;
        g.statusCode = status;
        return true;
    }

    /** A snapshot of every known group, ascending by group id. */
    synchronized List<Group> snapshot() {
        return groups.entrySet().stream()
                .map(e -> new Group(e.getKey(), e.getValue().state, e.getValue().statusCode,
                        Set.copyOf(e.getValue().ports)))
                .toList();
    }

    @Override
    public synchronized Map<Integer, Set<Integer>> groups() {
        Map<Integer, Set<Integer>> out = new TreeMap<>();
        groups.forEach((id, g) -> out.put(id, Set.copyOf(g.ports)));
        return out;
    }

    /** Nexuses to tell about a change: all of them but the requester. */
    static Collection<Nexus> others(Collection<Nexus> all, Nexus requester) {
        return requester == null ? all : all.stream().filter(n -> !n.equals(requester)).toList();
    }
}

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

    @Override
    public void transition(int targetPortGroup, AsymmetricAccessState state) {
        Objects.requireNonNull(state, "state");
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
    void setExplicitly(Map<Integer, AsymmetricAccessState> changes, Nexus requester) {
        boolean changed = false;
        synchronized (this) {
            for (Map.Entry<Integer, AsymmetricAccessState> e : changes.entrySet()) {
                MutableGroup g = groups.get(e.getKey());
                if (g == null || !e.getValue().explicitlySettable()) {
                    throw new IllegalArgumentException("target port group " + e.getKey() + " cannot take " + e.getValue());
                }
                changed |= change(e.getKey(), g, e.getValue(), STATUS_EXPLICIT);
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

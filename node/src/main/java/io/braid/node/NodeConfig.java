package io.braid.node;

import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.scsi.AccessControl;
import io.braid.scsi.LunAccess;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything one storage node needs to run: read from {@code node.yaml} by
 * {@link NodeConfigLoader} or built from {@code braid up} flags. Every field is validated here, so
 * a config that exists is one the node can run with.
 *
 * @param name              node name; becomes the last part of the target IQN
 * @param dataDir           where volumes, the lock and the control file live
 * @param portals           network portals (RFC 7143 3.4.1), at least one
 * @param volumes           volumes served as LUNs of the node's one target
 * @param auth              CHAP settings (RFC 7143 12.1.3)
 * @param allowedInitiators initiator names allowed to log in to the target; empty allows all
 * @param apiAddress        where the management HTTP API listens; port 0 picks a free port
 * @param acls              LUN masking: empty lets every initiator see every volume; otherwise each
 *                          initiator sees only the volumes its entry lists, and one without an
 *                          entry sees none
 * @param storage           the drives of the node's page store
 */
public record NodeConfig(String name, Path dataDir, List<PortalSpec> portals,
                         List<VolumeSpec> volumes, AuthConfig auth,
                         List<String> allowedInitiators, HostPort apiAddress, List<InitiatorAcl> acls,
                         StorageConfig storage) {

    /** Naming authority of Braid target names (RFC 7143 4.2.7.1: iqn.yyyy-mm.reversed-domain). */
    public static final String IQN_PREFIX = "iqn.2026-11.io.braid:";
    public static final HostPort DEFAULT_API_ADDRESS = new HostPort("127.0.0.1", 0);
    /** The longest CHAP secret accepted; CHAP_C/CHAP_R stay far below the text-key limit. */
    public static final int MAX_SECRET_LENGTH = 255;

    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?");
    // RFC 7143 4.2.7: iqn., eui. (EUI-64) and naa. (64 or 128 bit) names.
    private static final Pattern ISCSI_NAME = Pattern.compile(
            "iqn\\.\\d{4}-\\d{2}\\.[a-z0-9][a-z0-9.-]*(?::[^\\s]*)?"
                    + "|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16}(?:[0-9A-Fa-f]{16})?");

    public NodeConfig {
        checkNodeName(name);
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(apiAddress, "apiAddress");
        portals = List.copyOf(portals);
        volumes = List.copyOf(volumes);
        allowedInitiators = List.copyOf(allowedInitiators);
        acls = List.copyOf(acls);
        auth = auth == null ? AuthConfig.NONE : auth;
        storage = storage == null ? StorageConfig.defaults() : storage;
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("at least one portal is required");
        }
        Set<HostPort> addresses = new HashSet<>();
        for (PortalSpec p : portals) {
            if (p.address().port() != 0 && !addresses.add(p.address())) {
                throw new IllegalArgumentException("portal " + p.address() + " is listed twice");
            }
        }
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("at least one volume is required");
        }
        Set<String> names = new HashSet<>();
        Set<Integer> luns = new HashSet<>();
        for (VolumeSpec v : volumes) {
            if (!names.add(v.name())) {
                throw new IllegalArgumentException("volume \"" + v.name() + "\" is listed twice");
            }
            if (!luns.add(v.lun())) {
                throw new IllegalArgumentException("LUN " + v.lun() + " is used by two volumes");
            }
        }
        for (String iqn : allowedInitiators) {
            checkIscsiName(iqn);
        }
        checkAcls(acls, names, allowedInitiators);
        checkAuth(auth);
    }

    /** Without LUN masking (every initiator sees every volume), with the default storage. */
    public NodeConfig(String name, Path dataDir, List<PortalSpec> portals, List<VolumeSpec> volumes,
                      AuthConfig auth, List<String> allowedInitiators, HostPort apiAddress) {
        this(name, dataDir, portals, volumes, auth, allowedInitiators, apiAddress, List.of(), null);
    }

    /** With the default storage (four sparse drive files in the data directory). */
    public NodeConfig(String name, Path dataDir, List<PortalSpec> portals, List<VolumeSpec> volumes,
                      AuthConfig auth, List<String> allowedInitiators, HostPort apiAddress,
                      List<InitiatorAcl> acls) {
        this(name, dataDir, portals, volumes, auth, allowedInitiators, apiAddress, acls, null);
    }

    /**
     * @throws IllegalArgumentException when an entry names an unknown volume, an initiator has two
     *                                  entries, or an initiator could never log in
     */
    static void checkAcls(List<InitiatorAcl> acls, Set<String> volumeNames, List<String> allowedInitiators) {
        Set<String> initiators = new HashSet<>();
        Set<String> allowed = new HashSet<>();
        allowedInitiators.forEach(a -> allowed.add(a.toLowerCase(Locale.ROOT)));
        for (InitiatorAcl acl : acls) {
            if (!initiators.add(acl.key())) {
                throw new IllegalArgumentException("initiator " + acl.initiator() + " has two LUN masking entries");
            }
            if (!allowed.isEmpty() && !allowed.contains(acl.key())) {
                throw new IllegalArgumentException("initiator " + acl.initiator()
                        + " is not in allowedInitiators, so it could never log in to see its volumes");
            }
            for (LunMapping m : acl.volumes()) {
                if (!volumeNames.contains(m.volume())) {
                    throw new IllegalArgumentException("volume \"" + m.volume() + "\" given to " + acl.initiator()
                            + " is not one of the node's volumes");
                }
            }
        }
    }

    /**
     * The SCSI core's view of {@link #acls}: {@link AccessControl#OPEN} without entries, otherwise
     * each listed initiator's volumes by LUN (read-only where the entry says so).
     */
    public AccessControl accessControl() {
        if (acls.isEmpty()) {
            return AccessControl.OPEN;
        }
        Map<String, Integer> lunOf = new HashMap<>();
        volumes.forEach(v -> lunOf.put(v.name(), v.lun()));
        Map<String, Map<Integer, LunAccess>> grants = new HashMap<>();
        for (InitiatorAcl acl : acls) {
            Map<Integer, LunAccess> row = new HashMap<>();
            for (LunMapping m : acl.volumes()) {
                row.put(lunOf.get(m.volume()), m.readOnly() ? LunAccess.READ_ONLY : LunAccess.READ_WRITE);
            }
            grants.put(acl.initiator(), row);
        }
        return AccessControl.of(grants);
    }

    /** The node's one iSCSI target name. */
    public String targetIqn() {
        return IQN_PREFIX + name;
    }

    /** @throws IllegalArgumentException unless {@code name} can be a node name */
    public static void checkNodeName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NODE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("\"" + name + "\" is not a valid node name"
                    + " (1-63 lowercase letters, digits, '.' or '-'; it becomes part of the"
                    + " target IQN)");
        }
    }

    /** @throws IllegalArgumentException unless {@code name} is an iSCSI name (RFC 7143 4.2.7) */
    public static void checkIscsiName(String name) {
        if (name == null || name.length() > 223 || !ISCSI_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("\"" + name + "\" is not an iSCSI name"
                    + " (e.g. iqn.2004-10.com.example:host1, eui.02004567A425678D)");
        }
    }

    /** @throws IllegalArgumentException unless {@code user}/{@code secret} are usable CHAP values */
    public static ChapCredentials chap(String user, String secret) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("CHAP user must not be empty");
        }
        if (user.length() > MAX_SECRET_LENGTH || user.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("CHAP user must be 1-255 printable characters");
        }
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("CHAP secret must not be empty");
        }
        if (secret.length() > MAX_SECRET_LENGTH
                || secret.chars().anyMatch(Character::isISOControl)) {
            // The message never echoes the secret itself.
            throw new IllegalArgumentException("CHAP secret must be 1-255 printable characters");
        }
        return new ChapCredentials(user, secret);
    }

    /**
     * RFC 7143 9.2.1: a secret used to authenticate initiators must never authenticate the
     * target, and mutual CHAP only makes sense after the initiator has authenticated.
     */
    static void checkAuth(AuthConfig auth) {
        ChapCredentials mutual = auth.mutualChap();
        if (mutual == null) {
            return;
        }
        if (auth.nodeChap() == null && auth.perInitiator().isEmpty()) {
            throw new IllegalArgumentException("mutual CHAP needs initiator CHAP credentials too");
        }
        if (auth.nodeChap() != null && auth.nodeChap().secret().equals(mutual.secret())) {
            throw new IllegalArgumentException("the mutual CHAP secret must differ from the"
                    + " initiator secret (RFC 7143 9.2.1)");
        }
        for (Map.Entry<String, ChapCredentials> e : auth.perInitiator().entrySet()) {
            if (e.getValue().secret().equals(mutual.secret())) {
                throw new IllegalArgumentException("the mutual CHAP secret must differ from the"
                        + " secret of initiator " + e.getKey() + " (RFC 7143 9.2.1)");
            }
        }
    }
}

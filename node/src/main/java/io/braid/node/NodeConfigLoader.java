package io.braid.node;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import io.braid.common.config.StrictYaml;
import io.braid.iscsi.target.AuthConfig;
import io.braid.iscsi.target.ChapCredentials;
import io.braid.scsi.UnitFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code node.yaml} into a {@link NodeConfig}. Unknown fields are refused, and every error is
 * one line naming the file and the field path ({@code volumes[1].size}); see
 * {@code docs/operations.md} for the format.
 */
public final class NodeConfigLoader {


    private NodeConfigLoader() {
    }

    /** Loads and validates {@code file}; relative paths in it resolve against its directory. */
    public static NodeConfig load(Path file) throws ConfigException {
        String source = file.toString();
        String text;
        try {
            text = StrictYaml.readFile(file);
        } catch (IOException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(source, text, base);
    }

    /**
     * Parses config text.
     *
     * @param source name used in messages (usually the file name as the user wrote it)
     * @param base   directory that a relative {@code dataDir} resolves against
     */
    public static NodeConfig parse(String source, String text, Path base) throws ConfigException {
        NodeFile raw;
        try {
            raw = StrictYaml.MAPPER.readValue(text, NodeFile.class);
        } catch (JacksonException e) {
            throw new ConfigException(describe(source, e), e);
        }
        if (raw == null) {
            throw new ConfigException(source + ": file is empty");
        }
        return new Validator(source, base).validate(raw);
    }

    // ---- raw shape of the file: every field optional here, checked by Validator ----

    record NodeFile(String name, String dataDir, List<PortalFile> portals,
                    List<VolumeFile> volumes, ChapFile chap, List<String> allowedInitiators,
                    String api, List<AclFile> acls, StorageFile storage) {
    }

    record StorageFile(List<String> drives, List<String> spares, String driveSize, String pageSize,
                       Boolean startDegraded, String metadataMirror, String scrubInterval, String scrubRate) {
    }

    /** A portal, written either as {@code "HOST:PORT"} or as {@code {address, tpgt}}. */
    record PortalFile(String address, Integer tpgt) {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        PortalFile(@JsonProperty("address") String address, @JsonProperty("tpgt") Integer tpgt) {
            this.address = address;
            this.tpgt = tpgt;
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static PortalFile of(String address) {
            return new PortalFile(address, null);
        }
    }

    record VolumeFile(String name, String size, Integer lun, Boolean readOnly, FeaturesFile features,
                      String backing) {
    }

    /** Per-LUN switches; each absent one is on. */
    record FeaturesFile(Boolean compareAndWrite, Boolean extendedCopy, Boolean thinProvisioning,
                        Boolean persistentReservations) {
    }

    /** LUN masking for one initiator. */
    record AclFile(String initiator, List<AclVolumeFile> volumes) {
    }

    /** A volume in an ACL, written either as its name or as {@code {name, readOnly}}. */
    record AclVolumeFile(String name, Boolean readOnly) {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        AclVolumeFile(@JsonProperty("name") String name, @JsonProperty("readOnly") Boolean readOnly) {
            this.name = name;
            this.readOnly = readOnly;
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static AclVolumeFile of(String name) {
            return new AclVolumeFile(name, null);
        }
    }

    record ChapFile(String user, String secret, CredentialsFile mutual,
                    List<InitiatorChapFile> initiators) {
    }

    record CredentialsFile(String user, String secret) {
    }

    record InitiatorChapFile(String iqn, String user, String secret) {
    }

    // ---- validation with field paths ----

    @FunctionalInterface
    private interface Check<T> {
        T get();
    }

    private static final class Validator {
        private final String source;
        private final Path base;

        Validator(String source, Path base) {
            this.source = source;
            this.base = base;
        }

        private ConfigException error(String path, String message) {
            return new ConfigException(source + ": " + path + ": " + message);
        }

        private <T> T check(String path, Check<T> check) throws ConfigException {
            try {
                return check.get();
            } catch (IllegalArgumentException e) {
                throw error(path, e.getMessage());
            }
        }

        private <T> T required(String path, T value) throws ConfigException {
            if (value == null) {
                throw error(path, "is required");
            }
            return value;
        }

        NodeConfig validate(NodeFile raw) throws ConfigException {
            String name = required("name", raw.name());
            check("name", () -> {
                NodeConfig.checkNodeName(name);
                return name;
            });
            String dataDirText = required("dataDir", raw.dataDir());
            Path dataDir = check("dataDir", () -> {
                if (dataDirText.isBlank()) {
                    throw new IllegalArgumentException("must not be empty");
                }
                return base.resolve(dataDirText).normalize();
            });
            List<PortalSpec> portals = portals(raw.portals());
            List<VolumeSpec> volumes = volumes(raw.volumes());
            AuthConfig auth = auth(raw.chap());
            List<String> allowed = new ArrayList<>();
            if (raw.allowedInitiators() != null) {
                for (int i = 0; i < raw.allowedInitiators().size(); i++) {
                    String iqn = raw.allowedInitiators().get(i);
                    String path = "allowedInitiators[" + i + "]";
                    check(path, () -> {
                        NodeConfig.checkIscsiName(iqn);
                        return iqn;
                    });
                    if (allowed.contains(iqn)) {
                        throw error(path, "\"" + iqn + "\" is listed twice");
                    }
                    allowed.add(iqn);
                }
            }
            HostPort api = raw.api() == null ? NodeConfig.DEFAULT_API_ADDRESS
                    : check("api", () -> HostPort.parse(raw.api(), -1));
            List<InitiatorAcl> acls = acls(raw.acls(), volumes, allowed);
            StorageConfig storage = storage(raw.storage());
            try {
                return new NodeConfig(name, dataDir, portals, volumes, auth, allowed, api, acls, storage);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source + ": " + e.getMessage(), e);
            }
        }

        private StorageConfig storage(StorageFile raw) throws ConfigException {
            StorageConfig d = StorageConfig.defaults();
            if (raw == null) {
                return d;
            }
            List<Path> drives = paths("storage.drives", raw.drives());
            List<Path> spares = paths("storage.spares", raw.spares());
            long driveSize = raw.driveSize() == null ? d.driveSizeBytes()
                    : check("storage.driveSize", () -> Sizes.parse(raw.driveSize()));
            long pageSize = raw.pageSize() == null ? d.pageSize()
                    : check("storage.pageSize", () -> Sizes.parse(raw.pageSize()));
            if (pageSize > Integer.MAX_VALUE) {
                throw error("storage.pageSize", "is too large");
            }
            boolean degraded = raw.startDegraded() != null && raw.startDegraded();
            Path mirror = raw.metadataMirror() == null ? null
                    : paths("storage.metadataMirror", List.of(raw.metadataMirror())).get(0);
            java.time.Duration scrubInterval = raw.scrubInterval() == null ? d.scrubInterval()
                    : check("storage.scrubInterval", () -> StorageConfig.parseInterval(raw.scrubInterval()));
            long scrubRate = raw.scrubRate() == null ? d.scrubRate()
                    : check("storage.scrubRate", () -> Sizes.parse(raw.scrubRate().replaceFirst("/s$", "")));
            return check("storage", () -> new StorageConfig(drives, spares, driveSize, (int) pageSize, degraded,
                    mirror, scrubInterval, scrubRate));
        }

        private List<Path> paths(String field, List<String> raw) throws ConfigException {
            List<Path> out = new ArrayList<>();
            if (raw == null) {
                return out;
            }
            for (int i = 0; i < raw.size(); i++) {
                String text = required(field + "[" + i + "]", raw.get(i));
                out.add(check(field + "[" + i + "]", () -> {
                    if (text.isBlank()) {
                        throw new IllegalArgumentException("must not be empty");
                    }
                    return base.resolve(text).normalize();
                }));
            }
            return out;
        }

        private List<PortalSpec> portals(List<PortalFile> raw) throws ConfigException {
            if (raw == null) {
                return List.of(new PortalSpec(new HostPort("127.0.0.1", PortalSpec.DEFAULT_PORT),
                        PortalSpec.DEFAULT_TPGT));
            }
            if (raw.isEmpty()) {
                throw error("portals", "at least one portal is required");
            }
            List<PortalSpec> out = new ArrayList<>();
            Set<HostPort> seen = new HashSet<>();
            for (int i = 0; i < raw.size(); i++) {
                String path = "portals[" + i + "]";
                PortalFile p = required(path, raw.get(i));
                String addressText = required(path + ".address", p.address());
                HostPort address = check(path + ".address",
                        () -> HostPort.parse(addressText, PortalSpec.DEFAULT_PORT));
                int tpgt = p.tpgt() == null ? PortalSpec.DEFAULT_TPGT : p.tpgt();
                check(path + ".tpgt", () -> {
                    PortalSpec.checkTpgt(tpgt);
                    return tpgt;
                });
                if (address.port() != 0 && !seen.add(address)) {
                    throw error(path + ".address", address + " is listed twice");
                }
                out.add(new PortalSpec(address, tpgt));
            }
            return out;
        }

        private List<VolumeSpec> volumes(List<VolumeFile> raw) throws ConfigException {
            if (raw == null || raw.isEmpty()) {
                throw error("volumes", "at least one volume is required");
            }
            // Explicit LUNs are reserved first; the others take the lowest free LUN in order.
            Set<Integer> taken = new HashSet<>();
            for (int i = 0; i < raw.size(); i++) {
                VolumeFile v = required("volumes[" + i + "]", raw.get(i));
                if (v.lun() != null) {
                    String path = "volumes[" + i + "].lun";
                    int lun = v.lun();
                    check(path, () -> {
                        VolumeSpec.checkLun(lun);
                        return lun;
                    });
                    if (!taken.add(lun)) {
                        throw error(path, "LUN " + lun + " is used by two volumes");
                    }
                }
            }
            List<VolumeSpec> out = new ArrayList<>();
            Set<String> names = new HashSet<>();
            int nextFree = 0;
            for (int i = 0; i < raw.size(); i++) {
                String path = "volumes[" + i + "]";
                VolumeFile v = raw.get(i);
                String name = required(path + ".name", v.name());
                check(path + ".name", () -> {
                    VolumeSpec.checkName(name);
                    return name;
                });
                if (!names.add(name)) {
                    throw error(path + ".name", "volume \"" + name + "\" is listed twice");
                }
                String sizeText = required(path + ".size", v.size());
                long size = check(path + ".size", () -> {
                    long s = Sizes.parse(sizeText);
                    VolumeSpec.checkSize(s);
                    return s;
                });
                int lun;
                if (v.lun() != null) {
                    lun = v.lun();
                } else {
                    while (taken.contains(nextFree)) {
                        nextFree++;
                    }
                    lun = nextFree;
                    taken.add(lun);
                    if (lun > VolumeSpec.MAX_LUN) {
                        throw error(path + ".lun", "no free LUN left");
                    }
                }
                boolean readOnly = v.readOnly() != null && v.readOnly();
                VolumeSpec.Backing backing = v.backing() == null ? VolumeSpec.Backing.FILE
                        : check(path + ".backing", () -> VolumeSpec.Backing.parse(v.backing()));
                int chosenLun = lun;
                out.add(check(path, () -> new VolumeSpec(name, size, chosenLun, readOnly, features(v.features()),
                        backing)));
            }
            return out;
        }

        private static Set<UnitFeature> features(FeaturesFile raw) {
            Set<UnitFeature> on = EnumSet.allOf(UnitFeature.class);
            if (raw == null) {
                return on;
            }
            switchOff(on, raw.compareAndWrite(), UnitFeature.COMPARE_AND_WRITE);
            switchOff(on, raw.extendedCopy(), UnitFeature.EXTENDED_COPY);
            switchOff(on, raw.thinProvisioning(), UnitFeature.THIN_PROVISIONING);
            switchOff(on, raw.persistentReservations(), UnitFeature.PERSISTENT_RESERVATIONS);
            return on;
        }

        private static void switchOff(Set<UnitFeature> on, Boolean value, UnitFeature feature) {
            if (value != null && !value) {
                on.remove(feature);
            }
        }

        private List<InitiatorAcl> acls(List<AclFile> raw, List<VolumeSpec> volumes, List<String> allowed)
                throws ConfigException {
            if (raw == null) {
                return List.of();
            }
            Set<String> names = new HashSet<>();
            volumes.forEach(v -> names.add(v.name()));
            List<InitiatorAcl> out = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                String path = "acls[" + i + "]";
                AclFile a = required(path, raw.get(i));
                String initiator = required(path + ".initiator", a.initiator());
                check(path + ".initiator", () -> {
                    NodeConfig.checkIscsiName(initiator);
                    return initiator;
                });
                List<AclVolumeFile> rawVolumes = required(path + ".volumes", a.volumes());
                if (rawVolumes.isEmpty()) {
                    throw error(path + ".volumes", "at least one volume is required");
                }
                List<LunMapping> mappings = new ArrayList<>();
                for (int j = 0; j < rawVolumes.size(); j++) {
                    String vpath = path + ".volumes[" + j + "]";
                    AclVolumeFile v = required(vpath, rawVolumes.get(j));
                    String volume = required(vpath + ".name", v.name());
                    if (!names.contains(volume)) {
                        throw error(vpath, "\"" + volume + "\" is not one of the volumes");
                    }
                    if (mappings.stream().anyMatch(m -> m.volume().equals(volume))) {
                        throw error(vpath, "volume \"" + volume + "\" is listed twice");
                    }
                    mappings.add(new LunMapping(volume, v.readOnly() != null && v.readOnly()));
                }
                InitiatorAcl acl = new InitiatorAcl(initiator, mappings);
                List<InitiatorAcl> sofar = new ArrayList<>(out);
                sofar.add(acl);
                check(path + ".initiator", () -> {
                    NodeConfig.checkAcls(sofar, names, allowed);
                    return acl;
                });
                out.add(acl);
            }
            return out;
        }

        private AuthConfig auth(ChapFile raw) throws ConfigException {
            if (raw == null) {
                return AuthConfig.NONE;
            }
            ChapCredentials node = null;
            if (raw.user() != null || raw.secret() != null) {
                node = credentials("chap", raw.user(), raw.secret());
            }
            ChapCredentials mutual = null;
            if (raw.mutual() != null) {
                mutual = credentials("chap.mutual", raw.mutual().user(), raw.mutual().secret());
            }
            Map<String, ChapCredentials> perInitiator = new LinkedHashMap<>();
            if (raw.initiators() != null) {
                for (int i = 0; i < raw.initiators().size(); i++) {
                    String path = "chap.initiators[" + i + "]";
                    InitiatorChapFile c = required(path, raw.initiators().get(i));
                    String iqn = required(path + ".iqn", c.iqn());
                    check(path + ".iqn", () -> {
                        NodeConfig.checkIscsiName(iqn);
                        return iqn;
                    });
                    if (perInitiator.containsKey(iqn)) {
                        throw error(path + ".iqn", "\"" + iqn + "\" is listed twice");
                    }
                    perInitiator.put(iqn, credentials(path, c.user(), c.secret()));
                }
            }
            AuthConfig auth = new AuthConfig(node, mutual, perInitiator);
            check("chap.mutual", () -> {
                NodeConfig.checkAuth(auth);
                return auth;
            });
            return auth;
        }

        private ChapCredentials credentials(String path, String user, String secret)
                throws ConfigException {
            required(path + ".user", user);
            required(path + ".secret", secret);
            try {
                return NodeConfig.chap(user, secret);
            } catch (IllegalArgumentException e) {
                String field = e.getMessage().contains("secret") ? ".secret" : ".user";
                throw error(path + field, e.getMessage());
            }
        }
    }

    // ---- Jackson errors to one-line messages ----

    static String describe(String source, JacksonException e) {
        return StrictYaml.describe(source, e, "name, dataDir, portals, volumes, ...");
    }
}

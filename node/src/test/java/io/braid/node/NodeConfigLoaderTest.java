package io.braid.node;

import io.braid.iscsi.target.ChapCredentials;
import io.braid.scsi.LunAccess;
import io.braid.scsi.UnitFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeConfigLoaderTest {
    private static final Path BASE = Path.of("/etc/braid");

    private static final String MINIMAL = """
            name: node-a
            dataDir: /var/lib/braid
            volumes:
              - name: v0
                size: 1G
            """;

    private static NodeConfig parse(String yaml) throws ConfigException {
        return NodeConfigLoader.parse("node.yaml", yaml, BASE);
    }

    private static String error(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).as("one line").doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void readsACompleteFile() throws Exception {
        NodeConfig c = parse("""
                name: node-a
                dataDir: data
                portals:
                  - 127.0.0.1:3260
                  - address: "[::1]:3261"
                    tpgt: 2
                  - 10.0.0.5
                volumes:
                  - name: v0
                    size: 1G
                  - name: logs
                    size: 512M
                    lun: 1
                    readOnly: true
                  - name: scratch
                    size: 1048576
                chap:
                  user: alice
                  secret: alice-secret-123
                  mutual:
                    user: target
                    secret: target-secret-456
                  initiators:
                    - iqn: iqn.2004-10.com.example:host1
                      user: host1
                      secret: host1-secret-789
                allowedInitiators:
                  - iqn.2004-10.com.example:host1
                  - eui.02004567A425678D
                api: 127.0.0.1:8080
                """);
        assertThat(c.name()).isEqualTo("node-a");
        assertThat(c.targetIqn()).isEqualTo("iqn.2026-11.io.braid:node-a");
        assertThat(c.dataDir()).isEqualTo(Path.of("/etc/braid/data"));
        assertThat(c.portals()).containsExactly(
                new PortalSpec(new HostPort("127.0.0.1", 3260), 1),
                new PortalSpec(new HostPort("::1", 3261), 2),
                new PortalSpec(new HostPort("10.0.0.5", 3260), 1));
        // Explicit LUNs are reserved first, the others fill the lowest free ones in order.
        assertThat(c.volumes()).containsExactly(
                new VolumeSpec("v0", 1L << 30, 0, false),
                new VolumeSpec("logs", 512L << 20, 1, true),
                new VolumeSpec("scratch", 1L << 20, 2, false));
        assertThat(c.auth().nodeChap()).isEqualTo(new ChapCredentials("alice", "alice-secret-123"));
        assertThat(c.auth().mutualChap()).isEqualTo(new ChapCredentials("target", "target-secret-456"));
        assertThat(c.auth().required("iqn.2004-10.com.example:host1"))
                .isEqualTo(new ChapCredentials("host1", "host1-secret-789"));
        assertThat(c.auth().required("iqn.2004-10.com.example:other")).isEqualTo(c.auth().nodeChap());
        assertThat(c.allowedInitiators()).containsExactly("iqn.2004-10.com.example:host1",
                "eui.02004567A425678D");
        assertThat(c.apiAddress()).isEqualTo(new HostPort("127.0.0.1", 8080));
    }

    @Test
    void memoryBacking() throws Exception {
        NodeConfig c = parse("""
                name: n
                dataDir: d
                volumes:
                  - name: v0
                    size: 1G
                  - name: scratch
                    size: 128M
                    backing: memory
                  - name: disk
                    size: 1M
                    backing: file
                """);
        assertThat(c.volumes()).containsExactly(new VolumeSpec("v0", 1L << 30, 0, false),
                new VolumeSpec("scratch", 128L << 20, 1, false, VolumeSpec.Backing.MEMORY),
                new VolumeSpec("disk", 1L << 20, 2, false, VolumeSpec.Backing.FILE));
        assertThatThrownBy(() -> parse("""
                name: n
                dataDir: d
                volumes:
                  - name: v0
                    size: 1G
                    backing: tape
                """)).hasMessageContaining("volumes[0].backing: \"tape\" is not a volume backing (file or memory)");
        assertThatThrownBy(() -> parse("""
                name: n
                dataDir: d
                volumes:
                  - name: v0
                    size: 1G
                    backing: memory
                    readOnly: true
                """)).hasMessageContaining("volumes[0]: volume \"v0\": a memory volume cannot be read-only");
    }

    @Test
    void memoryBackingWithFeaturesAndAcls() throws Exception {
        NodeConfig c = parse("""
                name: n
                dataDir: d
                volumes:
                  - name: scratch
                    size: 64M
                    backing: memory
                    features: {persistentReservations: false}
                acls:
                  - initiator: iqn.2004-10.com.example:host1
                    volumes: [{name: scratch, readOnly: true}]
                """);
        assertThat(c.volumes()).containsExactly(new VolumeSpec("scratch", 64L << 20, 0, false,
                EnumSet.of(UnitFeature.COMPARE_AND_WRITE, UnitFeature.EXTENDED_COPY, UnitFeature.THIN_PROVISIONING),
                VolumeSpec.Backing.MEMORY));
        assertThat(c.acls()).containsExactly(new InitiatorAcl("iqn.2004-10.com.example:host1",
                List.of(new LunMapping("scratch", true))));
    }

    @Test
    void fillsDefaults() throws Exception {
        NodeConfig c = parse(MINIMAL);
        assertThat(c.portals()).containsExactly(new PortalSpec(new HostPort("127.0.0.1", 3260), 1));
        assertThat(c.auth().nodeChap()).isNull();
        assertThat(c.auth().mutualChap()).isNull();
        assertThat(c.allowedInitiators()).isEmpty();
        assertThat(c.apiAddress()).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThat(c.volumes()).containsExactly(new VolumeSpec("v0", 1L << 30, 0, false));
    }

    @Test
    void lunsSkipExplicitOnesAfterThem() throws Exception {
        NodeConfig c = parse("""
                name: n
                dataDir: d
                volumes:
                  - {name: a, size: 1M}
                  - {name: b, size: 1M, lun: 0}
                  - {name: c, size: 1M}
                """);
        assertThat(c.volumes()).extracting(VolumeSpec::lun).containsExactly(1, 0, 2);
    }

    @Test
    void loadsFromAFileAndResolvesDataDirAgainstIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, MINIMAL.replace("/var/lib/braid", "state"));
        NodeConfig c = NodeConfigLoader.load(file);
        assertThat(c.dataDir()).isEqualTo(dir.toAbsolutePath().resolve("state"));
    }

    @Test
    void missingFile(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> NodeConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": no such file");
    }

    @Test
    void badSize() {
        assertThat(error("""
                name: n
                dataDir: d
                volumes:
                  - name: v0
                    size: 1G
                  - name: v1
                    size: 12X
                """)).isEqualTo("node.yaml: volumes[1].size: \"12X\" is not a size (use e.g. 512M, 1G)");
    }

    @Test
    void sizeTooSmallOrNotBlockAligned() {
        assertThat(error(MINIMAL.replace("1G", "1K")))
                .isEqualTo("node.yaml: volumes[0].size: 1 KiB is too small (at least 1M)");
        assertThat(error(MINIMAL.replace("1G", "1048577")))
                .isEqualTo("node.yaml: volumes[0].size: 1048577 bytes is not a multiple of the"
                        + " 512-byte block size");
    }

    @Test
    void unknownFieldsAreRejectedWithTheKnownOnes() {
        assertThat(error(MINIMAL + "nmae: x\n")).isEqualTo("node.yaml: nmae: unknown field"
                + " (expected one of: acls, allowedInitiators, api, chap, dataDir, name, portals, storage,"
                + " volumes)");
        assertThat(error(MINIMAL.replace("size: 1G", "size: 1G\n    sise: 2G")))
                .isEqualTo("node.yaml: volumes[0].sise: unknown field"
                        + " (expected one of: backing, features, lun, name, readOnly, size)");
        assertThat(error(MINIMAL + "chap:\n  user: u\n  secret: s\n  mutal: {user: a, secret: b}\n"))
                .startsWith("node.yaml: chap.mutal: unknown field");
    }

    @Test
    void wrongTypes() {
        assertThat(error(MINIMAL + "portals:\n  - address: 127.0.0.1\n    tpgt: abc\n"))
                .isEqualTo("node.yaml: portals[0].tpgt: \"abc\" is not a whole number");
        assertThat(error(MINIMAL.replace("size: 1G", "size: 1G\n    readOnly: maybe")))
                .isEqualTo("node.yaml: volumes[0].readOnly: \"maybe\" is not true or false");
        assertThat(error(MINIMAL.replace("size: 1G", "size: 1G\n    lun: 1.5")))
                .startsWith("node.yaml: volumes[0].lun: ");
        assertThat(error("name: n\ndataDir: d\nvolumes: v0\n"))
                .isEqualTo("node.yaml: volumes: expected a list");
        assertThat(error(MINIMAL + "chap: yes-please\n"))
                .isEqualTo("node.yaml: chap: expected a mapping of fields");
        assertThat(error("name: [a, b]\ndataDir: d\nvolumes: []\n"))
                .isEqualTo("node.yaml: name: expected a single value (text)");
    }

    @Test
    void requiredFields() {
        assertThat(error("dataDir: d\nvolumes: [{name: v0, size: 1G}]\n"))
                .isEqualTo("node.yaml: name: is required");
        assertThat(error("name: n\nvolumes: [{name: v0, size: 1G}]\n"))
                .isEqualTo("node.yaml: dataDir: is required");
        assertThat(error("name: n\ndataDir: d\n"))
                .isEqualTo("node.yaml: volumes: at least one volume is required");
        assertThat(error("name: n\ndataDir: d\nvolumes: [{name: v0}]\n"))
                .isEqualTo("node.yaml: volumes[0].size: is required");
        assertThat(error("name: n\ndataDir: d\nvolumes: [{size: 1G}]\n"))
                .isEqualTo("node.yaml: volumes[0].name: is required");
        assertThat(error(MINIMAL + "portals: []\n"))
                .isEqualTo("node.yaml: portals: at least one portal is required");
    }

    @Test
    void badNames() {
        assertThat(error(MINIMAL.replace("node-a", "Node_A")))
                .isEqualTo("node.yaml: name: \"Node_A\" is not a valid node name (1-63 lowercase"
                        + " letters, digits, '.' or '-'; it becomes part of the target IQN)");
        assertThat(error(MINIMAL.replace("name: v0", "name: ../etc")))
                .startsWith("node.yaml: volumes[0].name: \"../etc\" is not a valid volume name");
        assertThat(error(MINIMAL + "allowedInitiators: [host1]\n"))
                .isEqualTo("node.yaml: allowedInitiators[0]: \"host1\" is not an iSCSI name"
                        + " (e.g. iqn.2004-10.com.example:host1, eui.02004567A425678D)");
    }

    @Test
    void duplicates() {
        assertThat(error("name: n\ndataDir: d\nvolumes: [{name: a, size: 1M}, {name: a, size: 2M}]\n"))
                .isEqualTo("node.yaml: volumes[1].name: volume \"a\" is listed twice");
        assertThat(error("name: n\ndataDir: d\nvolumes: [{name: a, size: 1M, lun: 3},"
                + " {name: b, size: 1M, lun: 3}]\n"))
                .isEqualTo("node.yaml: volumes[1].lun: LUN 3 is used by two volumes");
        assertThat(error(MINIMAL + "portals: [127.0.0.1:3260, 127.0.0.1:3260]\n"))
                .isEqualTo("node.yaml: portals[1].address: 127.0.0.1:3260 is listed twice");
        assertThat(error(MINIMAL + "name: again\n")).startsWith("node.yaml: ")
                .contains("Duplicate field 'name'");
    }

    @Test
    void ranges() {
        assertThat(error(MINIMAL.replace("size: 1G", "size: 1G\n    lun: 20000")))
                .isEqualTo("node.yaml: volumes[0].lun: 20000 is out of range 0..16383");
        assertThat(error(MINIMAL + "portals: [{address: 127.0.0.1, tpgt: 0}]\n"))
                .isEqualTo("node.yaml: portals[0].tpgt: 0 is out of range 1..65535");
        assertThat(error(MINIMAL + "portals: [\"127.0.0.1:x\"]\n"))
                .isEqualTo("node.yaml: portals[0].address: \"127.0.0.1:x\" is not HOST[:PORT]"
                        + " (e.g. 127.0.0.1:3260 or [::1]:3260)");
        assertThat(error(MINIMAL + "api: 127.0.0.1\n"))
                .isEqualTo("node.yaml: api: \"127.0.0.1\" is not HOST:PORT"
                        + " (e.g. 127.0.0.1:3260 or [::1]:3260)");
    }

    @Test
    void chapRules() {
        assertThat(error(MINIMAL + "chap: {user: alice}\n"))
                .isEqualTo("node.yaml: chap.secret: is required");
        assertThat(error(MINIMAL + "chap: {user: alice, secret: same-secret-1, mutual: {user: t,"
                + " secret: same-secret-1}}\n"))
                .isEqualTo("node.yaml: chap.mutual: the mutual CHAP secret must differ from the"
                        + " initiator secret (RFC 7143 9.2.1)");
        assertThat(error(MINIMAL + "chap: {mutual: {user: t, secret: target-secret}}\n"))
                .isEqualTo("node.yaml: chap.mutual: mutual CHAP needs initiator CHAP credentials too");
        assertThat(error(MINIMAL + "chap: {initiators: [{iqn: bad, user: u, secret: s}]}\n"))
                .startsWith("node.yaml: chap.initiators[0].iqn: \"bad\" is not an iSCSI name");
        String secretInMessage = error(MINIMAL + "chap: {user: alice, secret: \"zzq\\tzzq\"}\n");
        assertThat(secretInMessage)
                .isEqualTo("node.yaml: chap.secret: CHAP secret must be 1-255 printable characters")
                .doesNotContain("zzq");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        assertThat(error("name: n\nvolumes: [\n")).startsWith("node.yaml: line 3, column 1: ")
                .endsWith(" (YAML syntax)");
        assertThat(error("name: n\n  bad indent: x\n")).startsWith("node.yaml: line 2, column ");
        assertThat(error("# only a comment\n")).isEqualTo("node.yaml: file is empty");
    }

    @Test
    void emptyOrNonMappingFiles() {
        assertThat(error("")).isEqualTo("node.yaml: file is empty");
        assertThat(error("- a\n- b\n")).isEqualTo("node.yaml: expected a mapping of settings"
                + " (name, dataDir, portals, volumes, ...) at the top level");
    }

    @Test
    void perLunSwitchesDefaultToOn() throws Exception {
        NodeConfig c = parse("""
                name: n
                dataDir: d
                volumes:
                  - name: esx
                    size: 1G
                    features:
                      compareAndWrite: false
                      extendedCopy: false
                      thinProvisioning: true
                  - name: win
                    size: 1G
                    features: {persistentReservations: false, thinProvisioning: false}
                  - name: plain
                    size: 1G
                """);
        assertThat(c.volumes().get(0).features())
                .containsExactlyInAnyOrder(UnitFeature.THIN_PROVISIONING, UnitFeature.PERSISTENT_RESERVATIONS);
        assertThat(c.volumes().get(1).features())
                .containsExactlyInAnyOrder(UnitFeature.COMPARE_AND_WRITE, UnitFeature.EXTENDED_COPY);
        assertThat(c.volumes().get(2).features()).isEqualTo(EnumSet.allOf(UnitFeature.class));
        assertThat(error(MINIMAL.replace("size: 1G", "size: 1G\n    features: {caw: false}")))
                .isEqualTo("node.yaml: volumes[0].features.caw: unknown field (expected one of: compareAndWrite,"
                        + " extendedCopy, persistentReservations, thinProvisioning)");
        assertThat(error(MINIMAL.replace("size: 1G", "size: 1G\n    features: {extendedCopy: off-ish}")))
                .isEqualTo("node.yaml: volumes[0].features.extendedCopy: \"off-ish\" is not true or false");
    }

    private static final String TWO_VOLUMES = """
            name: n
            dataDir: d
            volumes:
              - {name: v0, size: 1G}
              - {name: logs, size: 1G, lun: 7}
            """;

    @Test
    void lunMaskingByInitiator() throws Exception {
        NodeConfig c = parse(TWO_VOLUMES + """
                acls:
                  - initiator: iqn.2004-10.com.example:host1
                    volumes:
                      - v0
                      - name: logs
                        readOnly: true
                  - initiator: iqn.2004-10.com.example:host2
                    volumes: [logs]
                """);
        assertThat(c.acls()).containsExactly(
                new InitiatorAcl("iqn.2004-10.com.example:host1",
                        List.of(new LunMapping("v0", false), new LunMapping("logs", true))),
                new InitiatorAcl("iqn.2004-10.com.example:host2", List.of(new LunMapping("logs", false))));
        var access = c.accessControl();
        assertThat(access.access("iqn.2004-10.com.example:host1", 0)).isEqualTo(LunAccess.READ_WRITE);
        assertThat(access.access("IQN.2004-10.COM.EXAMPLE:HOST1", 7)).isEqualTo(LunAccess.READ_ONLY);
        assertThat(access.access("iqn.2004-10.com.example:host2", 0)).isEqualTo(LunAccess.NONE);
        assertThat(access.access("iqn.2004-10.com.example:host2", 7)).isEqualTo(LunAccess.READ_WRITE);
        assertThat(access.access("iqn.2004-10.com.example:other", 7)).as("no entry, nothing").isEqualTo(LunAccess.NONE);
        assertThat(parse(TWO_VOLUMES).accessControl().access("iqn.2004-10.com.example:any", 7))
                .as("no acls: everyone sees everything").isEqualTo(LunAccess.READ_WRITE);
    }

    @Test
    void lunMaskingErrors() {
        assertThat(error(TWO_VOLUMES + "acls: [{initiator: iqn.2004-10.com.example:h, volumes: [v9]}]\n"))
                .isEqualTo("node.yaml: acls[0].volumes[0]: \"v9\" is not one of the volumes");
        assertThat(error(TWO_VOLUMES + "acls: [{initiator: host1, volumes: [v0]}]\n"))
                .startsWith("node.yaml: acls[0].initiator: \"host1\" is not an iSCSI name");
        assertThat(error(TWO_VOLUMES + "acls: [{initiator: iqn.2004-10.com.example:h, volumes: []}]\n"))
                .isEqualTo("node.yaml: acls[0].volumes: at least one volume is required");
        assertThat(error(TWO_VOLUMES + "acls: [{initiator: iqn.2004-10.com.example:h, volumes: [v0, v0]}]\n"))
                .isEqualTo("node.yaml: acls[0].volumes[1]: volume \"v0\" is listed twice");
        assertThat(error(TWO_VOLUMES + "acls: [{initiator: iqn.2004-10.com.example:h, volumes: [v0]},"
                + " {initiator: iqn.2004-10.com.example:H, volumes: [logs]}]\n"))
                .isEqualTo("node.yaml: acls[1].initiator: initiator iqn.2004-10.com.example:H has two LUN masking entries");
        assertThat(error(TWO_VOLUMES + "allowedInitiators: [iqn.2004-10.com.example:a]\n"
                + "acls: [{initiator: iqn.2004-10.com.example:b, volumes: [v0]}]\n"))
                .isEqualTo("node.yaml: acls[0].initiator: initiator iqn.2004-10.com.example:b is not in"
                        + " allowedInitiators, so it could never log in to see its volumes");
        assertThat(error(TWO_VOLUMES + "acls: [{initiator: iqn.2004-10.com.example:h, volumes: [{name: v0, readonly: true}]}]\n"))
                .startsWith("node.yaml: acls[0].volumes[0].readonly: unknown field");
    }

    @Test
    void recordRejectsInconsistentConfigsBuiltInCode() {
        assertThatThrownBy(() -> new NodeConfig("n", Path.of("d"), List.of(), List.of(
                new VolumeSpec("v0", 1 << 20, 0, false)), null, List.of(), NodeConfig.DEFAULT_API_ADDRESS))
                .hasMessage("at least one portal is required");
        assertThatThrownBy(() -> new NodeConfig("n", Path.of("d"),
                List.of(new PortalSpec(new HostPort("127.0.0.1", 3260), 1)),
                List.of(new VolumeSpec("a", 1 << 20, 0, false), new VolumeSpec("b", 1 << 20, 0, false)),
                null, List.of(), NodeConfig.DEFAULT_API_ADDRESS))
                .hasMessage("LUN 0 is used by two volumes");
    }

    @Test
    void storageNamesDrivesSparesAndSizes() throws Exception {
        assertThat(parse(MINIMAL).storage()).isEqualTo(StorageConfig.defaults());
        assertThat(parse(MINIMAL).storage().drivePaths(Path.of("/d"))).containsExactly(
                Path.of("/d/drives/d0"), Path.of("/d/drives/d1"), Path.of("/d/drives/d2"), Path.of("/d/drives/d3"));
        NodeConfig c = parse(MINIMAL + """
                storage:
                  drives: [/dev/sdb, /dev/sdc, disks/d2]
                  spares: [/dev/sdz]
                  driveSize: 64G
                  pageSize: 8M
                  startDegraded: true
                  metadataMirror: /srv/meta2
                  scrubInterval: 12h
                  scrubRate: 16M
                """);
        assertThat(c.storage().drives()).containsExactly(Path.of("/dev/sdb"), Path.of("/dev/sdc"),
                Path.of("/etc/braid/disks/d2"));
        assertThat(c.storage().spares()).containsExactly(Path.of("/dev/sdz"));
        assertThat(c.storage().driveSizeBytes()).isEqualTo(64L << 30);
        assertThat(c.storage().pageSize()).isEqualTo(8 << 20);
        assertThat(c.storage().startDegraded()).isTrue();
        assertThat(c.storage().metadataMirror()).isEqualTo(Path.of("/srv/meta2"));
        assertThat(c.storage().scrubInterval()).isEqualTo(java.time.Duration.ofHours(12));
        assertThat(c.storage().scrubRate()).isEqualTo(16L << 20);
        assertThat(parse(MINIMAL + "storage:\n  scrubInterval: 0\n").storage().scrubInterval())
                .isEqualTo(java.time.Duration.ZERO);
        assertThat(error(MINIMAL + "storage:\n  scrubInterval: weekly\n")).isEqualTo(
                "node.yaml: storage.scrubInterval: \"weekly\" is not an interval (use e.g. 7d, 12h, 30m; 0 for none)");
        assertThat(c.storage().drivePaths(Path.of("/d"))).isEqualTo(c.storage().drives());
        assertThat(error(MINIMAL + "storage:\n  drives: [/dev/sdb]\n"))
                .isEqualTo("node.yaml: storage: at least two drives are needed (every page is mirrored on two), got 1");
        assertThat(error(MINIMAL + "storage:\n  drives: [/a, /a]\n")).contains("drive /a is listed twice");
        assertThat(error(MINIMAL + "storage:\n  pageSize: 3M\n")).contains("not a power of two");
        assertThat(error(MINIMAL + "storage:\n  driveSize: 12X\n"))
                .isEqualTo("node.yaml: storage.driveSize: \"12X\" is not a size (use e.g. 512M, 1G)");
        assertThat(error(MINIMAL + "storage:\n  drive: [/a]\n")).startsWith("node.yaml: storage.drive: unknown field");
    }
}

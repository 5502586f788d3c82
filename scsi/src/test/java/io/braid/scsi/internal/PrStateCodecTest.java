package io.braid.scsi.internal;

import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.UnitFeature;
import io.braid.scsi.UnitStateStore;
import io.braid.scsi.internal.PrState.Registrant;
import io.braid.scsi.internal.PrState.Registration;
import io.braid.scsi.internal.PrState.Reservation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The "pr" record (APTPL) and its round trip through a store and a restart. */
class PrStateCodecTest {

    /** A golden record: one registration with ISID on one port, one ALL_TG_PT without ISID, a WE reservation. */
    @Test
    void goldenRecord() throws IOException {
        PrState s = new PrState(7, true, List.of(
                new Registration(new Registrant(new TransportId("iqn.a", 0x400001370000L), "t,1"), 1, 0xAA),
                new Registration(new Registrant(new TransportId("iqn.b", TransportId.ANY_ISID), null), 0, 0xBB)),
                new Reservation(new Registrant(new TransportId("iqn.a", 0x400001370000L), "t,1"), PrType.WRITE_EXCLUSIVE));
        String body = "42525052" + "0001" + "01" + "00" + "00000007" + "0002"
                + "00000000000000aa" + "0001" + "02" + "400001370000" + "0005" + "69716e2e61" + "0003" + "742c31"
                + "00000000000000bb" + "0000" + "01" + "0005" + "69716e2e62" + "0000"
                + "01" + "01" + "0000";
        CRC32C crc = new CRC32C();
        crc.update(HexFormat.of().parseHex(body));
        assertThat(HexFormat.of().formatHex(PrStateCodec.encode(s))).isEqualTo(body + String.format("%08x", crc.getValue()));
        assertThat(PrStateCodec.decode(PrStateCodec.encode(s))).isEqualTo(s);
    }

    @Property(tries = 200)
    void roundTrip(@ForAll("states") PrState s) throws IOException {
        assertThat(PrStateCodec.decode(PrStateCodec.encode(s))).isEqualTo(s);
    }

    @Property(tries = 50)
    void everyFlippedByteAndEveryTruncationIsRefused(@ForAll("states") PrState s) {
        byte[] record = PrStateCodec.encode(s);
        for (int i = 0; i < record.length; i++) {
            byte[] bad = record.clone();
            bad[i] ^= 0x5A;
            assertThatThrownBy(() -> PrStateCodec.decode(bad)).isInstanceOf(IOException.class);
        }
        for (int n = 0; n < record.length; n++) {
            byte[] cut = Arrays.copyOf(record, n);
            assertThatThrownBy(() -> PrStateCodec.decode(cut)).isInstanceOf(IOException.class);
        }
    }

    /** A body that is damaged but carries a correct CRC still yields a valid state or an IOException, nothing else. */
    @Property(tries = 500)
    void damagedBodyWithValidCrcNeverCrashes(@ForAll("states") PrState s, @ForAll("positions") int at,
                                             @ForAll byte value) {
        byte[] record = PrStateCodec.encode(s);
        int i = at % (record.length - 4);
        record[i] = value;
        CRC32C crc = new CRC32C();
        crc.update(record, 0, record.length - 4);
        ByteBuffer.wrap(record).putInt(record.length - 4, (int) crc.getValue());
        try {
            PrState decoded = PrStateCodec.decode(record);
            assertThat(PrStateCodec.decode(PrStateCodec.encode(decoded))).isEqualTo(decoded);
        } catch (IOException expected) {
            assertThat(expected.getMessage()).startsWith("pr record: ");
        }
    }

    @Test
    void absurdCountsAreRefusedBeforeAllocating() {
        byte[] body = HexFormat.of().parseHex("42525052" + "0001" + "01" + "00" + "00000001" + "ffff");
        byte[] record = Arrays.copyOf(body, body.length + 5);
        CRC32C crc = new CRC32C();
        crc.update(record, 0, record.length - 4);
        ByteBuffer.wrap(record).putInt(record.length - 4, (int) crc.getValue());
        assertThatThrownBy(() -> PrStateCodec.decode(record)).hasMessageContaining("65535 registrations");
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 10_000);
    }

    @Provide
    Arbitrary<PrState> states() {
        Arbitrary<TransportId> ids = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').withChars(".:-é").ofMinLength(1).ofMaxLength(40),
                Arbitraries.longs().between(-1, 0xFFFF_FFFF_FFFFL)).as(TransportId::new);
        Arbitrary<Registrant> registrants = Combinators.combine(ids,
                Arbitraries.of("iqn.t,t,0x0001", "iqn.t,t,0x0002", "").injectNull(0.3)).as(Registrant::new);
        Arbitrary<Registration> regs = Combinators.combine(registrants, Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.longs().filter(k -> k != 0)).as(Registration::new);
        return Combinators.combine(Arbitraries.integers(), Arbitraries.of(true, false),
                regs.list().ofMaxSize(6), Arbitraries.of(PrType.values()).injectNull(0.3),
                Arbitraries.integers().between(0, 5)).as((gen, aptpl, list, type, holder) -> {
                    List<Registration> disjoint = new ArrayList<>();
                    for (Registration r : list) {
                        if (disjoint.stream().noneMatch(d -> d.registrant().overlaps(r.registrant()))) {
                            disjoint.add(r);
                        }
                    }
                    Reservation res = null;
                    if (type != null && !disjoint.isEmpty()) {
                        res = new Reservation(type.allRegistrants() ? null
                                : disjoint.get(holder % disjoint.size()).registrant(), type);
                    }
                    return new PrState(gen, aptpl, disjoint, res);
                });
    }

    private static LogicalUnitSpec unit(UnitStateStore store) {
        return new LogicalUnitSpec(0, "v0", Harness.uuid(0), new MemoryBlockDevice(512, 100), false, store,
                EnumSet.allOf(UnitFeature.class));
    }

    @Test
    void aptplSurvivesARestartThroughTheStore() {
        UnitStateStore store = UnitStateStore.inMemory();
        Harness first = new Harness(List.of(unit(store)));
        Pr pr = new Pr(first);
        first.login(NEXUS_A, 0);
        first.login(NEXUS_B, 0);
        pr.good(pr.out(NEXUS_A, 0x06, 0, Pr.basic(0, 0xA, 0x01)));
        pr.good(pr.out(NEXUS_B, 0x06, 0, Pr.basic(0, 0xB, 0x01)));
        pr.reserve(NEXUS_A, 0xA, Pr.EARO);
        int generation = pr.generation(NEXUS_A);

        Harness second = new Harness(List.of(unit(store)));
        Pr after = new Pr(second);
        second.login(NEXUS_A, 0);
        second.login(NEXUS_B, 0);
        assertThat(after.keys(NEXUS_B)).containsExactly(0xAL, 0xBL);
        assertThat(after.reservation(NEXUS_B)).containsExactly(0xA, Pr.EARO);
        assertThat(after.generation(NEXUS_B)).isEqualTo(generation);
        assertThat(after.in(NEXUS_A, 2).data()[3] & 1).as("PTPL_A").isEqualTo(1);
        after.conflict(after.read(new io.braid.scsi.Nexus("iqn.x,i,0x1", "iqn.x", NEXUS_A.targetPort(), 1, 0)));
        after.good(after.write(NEXUS_B));

        // APTPL 0 from a registering service action drops the record: the next start is clean.
        after.good(after.out(NEXUS_A, 0x00, 0, Pr.basic(0xA, 0xA1, 0x00)));
        assertThat(new Harness(List.of(unit(store))).target.unit(0).reservations().state()).isEqualTo(PrState.EMPTY);
    }

    @Test
    void withoutAptplNothingIsStored() throws IOException {
        UnitStateStore store = UnitStateStore.inMemory();
        Harness h = new Harness(List.of(unit(store)));
        Pr pr = new Pr(h);
        h.login(NEXUS_A, 0);
        pr.register(NEXUS_A, 0xA);
        pr.reserve(NEXUS_A, 0xA, Pr.WE);
        assertThat(store.load(PrStateCodec.RECORD)).isNull();
    }

    /** A store kept in files, re-opened as a restarted node would. */
    private record FileStore(Path dir) implements UnitStateStore {
        @Override
        public byte[] load(String name) throws IOException {
            Path p = dir.resolve(name);
            return Files.exists(p) ? Files.readAllBytes(p) : null;
        }

        @Override
        public void store(String name, byte[] record) throws IOException {
            Path tmp = dir.resolve(name + ".tmp");
            Files.write(tmp, record);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public void delete(String name) throws IOException {
            Files.deleteIfExists(dir.resolve(name));
        }
    }

    @Test
    void aptplThroughAReloadedFileStore(@TempDir Path dir) throws IOException {
        Harness first = new Harness(List.of(unit(new FileStore(dir))));
        Pr pr = new Pr(first);
        first.login(NEXUS_A, 0);
        byte[] tidB = new TransportId("iqn.2024-01.test:host-b", 0x400001370001L).encode();
        pr.good(pr.out(NEXUS_A, 0x00, 0, Pr.specIPt(0, 0x77, 0x05, tidB))); // SPEC_I_PT, ALL_TG_PT, APTPL
        pr.reserve(NEXUS_A, 0x77, Pr.WEAR);
        assertThat(Files.readAllBytes(dir.resolve("pr"))).startsWith('B', 'R', 'P', 'R');

        Harness second = new Harness(List.of(unit(new FileStore(dir))));
        Pr after = new Pr(second);
        second.login(NEXUS_B, 0);
        assertThat(after.reservation(NEXUS_B)).containsExactly(0, Pr.WEAR);
        after.good(after.write(NEXUS_B)); // registered through every port, so a holder
        Harness.Reply full = after.in(NEXUS_B, 3);
        assertThat(full.data()[8 + 12] & 0x03).as("ALL_TG_PT and R_HOLDER").isEqualTo(0x03);
    }

    @Test
    void anUnreadableRecordIsALostReservationUntilReplaced(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("pr"), new byte[] {'B', 'R', 'P', 'R', 0, 9});
        Harness h = new Harness(List.of(unit(new FileStore(dir))));
        assertThat(h.target.unit(0).reservations().state()).isEqualTo(PrState.EMPTY);
        assertThat(h.target.unit(0).reservations().lost()).isTrue();
        Pr pr = new Pr(h);
        h.login(NEXUS_A, 0);
        h.login(NEXUS_B, 0);
        // DATA PROTECT / PERSISTENT RESERVATION INFORMATION LOST for everything but a short list.
        SenseAssert.assertCheckCondition(pr.read(NEXUS_B), 0x7, 0x44, 0x01);
        SenseAssert.assertCheckCondition(pr.write(NEXUS_B), 0x7, 0x44, 0x01);
        SenseAssert.assertCheckCondition(pr.tur(NEXUS_B), 0x7, 0x44, 0x01);
        SenseAssert.assertCheckCondition(pr.in(NEXUS_B, 0), 0x7, 0x44, 0x01);
        SenseAssert.assertCheckCondition(pr.out(NEXUS_B, 0x00, 0, Pr.basic(0, 0xB, 0)), 0x7, 0x44, 0x01);
        for (String allowed : List.of("12 00 00 00 60 00", "a0 00 00 00 00 00 00 00 01 00 00 00", "03 00 00 00 12 00",
                "a3 0a 00 00 00 00 00 00 04 00 00 00", "1b 00 00 00 01 00")) {
            assertThat(h.run(NEXUS_B, 0, Harness.cdb(allowed), null, io.braid.scsi.TaskAttribute.SIMPLE).status())
                    .as(allowed).isZero();
        }
        SenseAssert.assertCheckCondition(h.run(NEXUS_B, 0, Harness.cdb("1b 00 00 00 00 00"), null,
                io.braid.scsi.TaskAttribute.SIMPLE), 0x7, 0x44, 0x01);
        // REPLACE LOST RESERVATION: RESERVATION KEY must be zero, never a conflict.
        Harness.Reply keyed = pr.out(NEXUS_A, 0x08, Pr.WE, Pr.basic(0x5, 0xA, 0x01));
        assertThat(keyed.asc()).as("INVALID FIELD IN PARAMETER LIST").isEqualTo(0x26);
        assertThat(keyed.sense()[15] & 0xFF).as("SKSV, parameter list").isEqualTo(0x80);
        assertThat(BigEndian.u16(keyed.sense(), 16)).as("RESERVATION KEY").isZero();
        Harness.Reply noKey = pr.out(NEXUS_A, 0x08, Pr.WE, Pr.basic(0, 0, 0x01));
        assertThat(noKey.asc()).isEqualTo(0x26);
        assertThat(BigEndian.u16(noKey.sense(), 16)).as("SERVICE ACTION RESERVATION KEY").isEqualTo(8);
        SenseAssert.assertInvalidFieldInCdb(pr.out(NEXUS_A, 0x08, 0x2, Pr.basic(0, 0xA, 0x01)), 2, 3);
        assertThat(h.target.unit(0).reservations().lost()).as("a refused one changes nothing").isTrue();
        pr.good(pr.out(NEXUS_A, 0x08, Pr.WE, Pr.basic(0, 0xA, 0x01)));
        assertThat(h.target.unit(0).reservations().lost()).isFalse();
        assertThat(pr.keys(NEXUS_B)).containsExactly(0xAL);
        assertThat(pr.reservation(NEXUS_B)).containsExactly(0xA, Pr.WE);
        assertThat(pr.generation(NEXUS_B)).as("PRGENERATION starts again").isZero();
        assertThat(pr.tur(NEXUS_B).status()).as("no unit attention for the others").isZero();
        pr.conflict(pr.write(NEXUS_B));
        pr.good(pr.write(NEXUS_A));
        // Once nothing is lost, REPLACE LOST RESERVATION is an invalid release.
        SenseAssert.assertCheckCondition(pr.out(NEXUS_A, 0x08, Pr.WE, Pr.basic(0, 0xA, 0x01)), 0x5, 0x26, 0x04);
        // The replacement (APTPL) is what a restart finds.
        Harness again = new Harness(List.of(unit(new FileStore(dir))));
        assertThat(again.target.unit(0).reservations().lost()).isFalse();
        assertThat(new Pr(again).reservation(NEXUS_B)).containsExactly(0xA, Pr.WE);
    }

    @Test
    void aReplacementWithoutAptplRemovesTheUnreadableRecord(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("pr"), new byte[] {1, 2, 3});
        Harness h = new Harness(List.of(unit(new FileStore(dir))));
        Pr pr = new Pr(h);
        h.login(NEXUS_A, 0);
        pr.good(pr.out(NEXUS_A, 0x08, Pr.EAAR, Pr.basic(0, 0xA, 0x04))); // ALL_TG_PT, no APTPL
        assertThat(Files.exists(dir.resolve("pr"))).isFalse();
        assertThat(new Harness(List.of(unit(new FileStore(dir)))).target.unit(0).reservations().lost()).isFalse();
        assertThat(pr.reservation(NEXUS_A)).containsExactly(0, Pr.EAAR);
    }

    @Test
    void withoutARecordNothingIsLost() {
        Harness h = new Harness(List.of(unit(UnitStateStore.inMemory())));
        Pr pr = new Pr(h);
        h.login(NEXUS_A, 0);
        SenseAssert.assertCheckCondition(pr.out(NEXUS_A, 0x08, Pr.WE, Pr.basic(0, 0xA, 0)), 0x5, 0x26, 0x04);
        assertThat(pr.keys(NEXUS_A)).isEmpty();
    }

    @Test
    void failingStoreLeavesTheStateAsItWas() {
        UnitStateStore broken = new UnitStateStore() {
            @Override
            public byte[] load(String name) {
                return null;
            }

            @Override
            public void store(String name, byte[] record) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void delete(String name) {
            }
        };
        Harness h = new Harness(List.of(unit(broken)));
        Pr pr = new Pr(h);
        h.login(NEXUS_A, 0);
        Harness.Reply r = pr.out(NEXUS_A, 0x06, 0, Pr.basic(0, 0xA, 0x01));
        SenseAssert.assertCheckCondition(r, 0x4, 0x44, 0x00);
        assertThat(pr.keys(NEXUS_A)).isEmpty();
        pr.register(NEXUS_A, 0xA); // without APTPL nothing is stored, so it works
        assertThat(pr.keys(NEXUS_A)).containsExactly(0xAL);
    }
}

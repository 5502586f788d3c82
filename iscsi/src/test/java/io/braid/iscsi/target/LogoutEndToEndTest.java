package io.braid.iscsi.target;

import io.braid.iscsi.pdu.LoginResponse;
import io.braid.iscsi.pdu.LogoutRequest;
import io.braid.iscsi.pdu.LogoutResponse;
import io.braid.iscsi.pdu.ScsiCommand;
import io.braid.iscsi.pdu.ScsiResponse;
import io.braid.scsi.LogicalUnitSpec;
import io.braid.scsi.ScsiTargetIdentity;
import io.braid.scsi.ScsiTargets;
import io.braid.store.MemoryBlockDevice;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logout through the whole engine (RFC 7143 11.14): the session's I_T nexus has ended — and with
 * it the reservations it held (SPC-4 "I_T nexus loss") — by the time the Logout Response reaches
 * the initiator, so a command another initiator sends the moment that answer arrives never meets
 * the old reservation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogoutEndToEndTest {
    private static final String IQN = "iqn.2026-11.io.braid:logout";
    private static final byte[] TUR = new byte[6];
    private static final byte[] RESERVE6 = {0x16, 0, 0, 0, 0, 0};
    private static final byte[] READ10 = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    private static final int GOOD = 0, CHECK_CONDITION = 2;

    private IscsiTargetServer server;

    /** One logged-in session with its own command numbering. */
    private final class Initiator implements AutoCloseable {
        final ScriptedInitiator wire;
        int cmdSn = 1;
        int nextItt = 1;

        Initiator(String name, long isid) throws Exception {
            wire = new ScriptedInitiator(server.boundAddresses().get(0));
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("InitiatorName", name);
            keys.put("SessionType", "Normal");
            keys.put("TargetName", IQN);
            LoginResponse login = wire.login(isid, cmdSn, keys);
            assertThat(login.statusClass()).isZero();
            login.release();
            assertThat(command(TUR, 0)).as("POWER ON, RESET on a new nexus").isEqualTo(CHECK_CONDITION);
        }

        int command(byte[] cdb, int readLength) throws InterruptedException {
            wire.send(new ScsiCommand(false, true, readLength > 0, false, 1, 0, nextItt++, readLength, cmdSn++, 0,
                    cdb, -1, Unpooled.EMPTY_BUFFER));
            while (true) {
                Object pdu = wire.take(Object.class);
                if (pdu instanceof ScsiResponse r) {
                    int status = r.status();
                    r.release();
                    return status;
                }
                if (pdu instanceof io.braid.iscsi.pdu.DataIn d) {
                    d.release();
                    if (d.statusPresent()) {
                        return d.status();
                    }
                }
            }
        }

        void logout() throws InterruptedException {
            wire.send(new LogoutRequest(true, LogoutRequest.CLOSE_SESSION, nextItt++, 0, cmdSn, 0));
            LogoutResponse r = wire.take(LogoutResponse.class);
            assertThat(r.response()).isZero();
        }

        @Override
        public void close() {
            wire.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        var scsi = ScsiTargets.create(ScsiTargetIdentity.braid("test", "0001", "logout-test"),
                List.of(new LogicalUnitSpec(0, "v0", UUID.randomUUID(), new MemoryBlockDevice(512, 2048), false)));
        server = new IscsiTargetServer(TargetServerConfig.of(List.of(new Portal("127.0.0.1", 0, 1)),
                List.of(new TargetDefinition(IQN, null, scsi, List.of())), null));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void reservationOfALoggedOutSessionIsGoneWhenTheLogoutResponseArrives() throws Exception {
        try (Initiator other = new Initiator("iqn.2026-11.io.braid:host-b", 0x400002000001L)) {
            for (int round = 0; round < 20; round++) {
                try (Initiator holder = new Initiator("iqn.2026-11.io.braid:host-a", 0x400001000001L + round)) {
                    assertThat(holder.command(RESERVE6, 0)).isEqualTo(GOOD);
                    holder.logout();
                    assertThat(other.command(READ10, 512)).as("READ right after the holder's logout, round %d", round)
                            .isEqualTo(GOOD);
                }
            }
        }
    }
}

package io.braid.cli;

import io.braid.host.pr.PrStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code braid host pr}: the text listing, and what bad input and a missing agent give. */
class HostPrCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return new Run(cmd.execute(args), out.toString(), err.toString());
    }

    @Test
    void showPrintsTheReservationAndOneRowPerPath() {
        PrStatus s = new PrStatus("v0", "naa.31731c67bb2bcf54", "0x0000000000000abc", 4,
                new PrStatus.Reservation("0x0000000000000abc", "wr-ex", "127.0.0.1->127.0.0.1:3260",
                        "iqn.h,i,0x80e4527f0005"),
                List.of(new PrStatus.PathRegistration("127.0.0.1", "127.0.0.1:3260", "active", "80e4527f0005",
                                "0x0000000000000abc", true),
                        new PrStatus.PathRegistration("127.0.0.2", "127.0.0.2:3260", "failed", "80e4527f0006", null,
                                false)),
                List.of(new PrStatus.Registrant("iqn.other,i,0x000000000001", "0x00000000000000bb", false, 2)),
                false, null);
        StringWriter w = new StringWriter();
        HostPrCommand.status(new PrintWriter(w, true), s);
        assertThat(w.toString()).isEqualTo("""
                v0 (naa.31731c67bb2bcf54) key=0x0000000000000abc generation=4
                reservation: wr-ex key=0x0000000000000abc holder=127.0.0.1->127.0.0.1:3260
                PATH                       STATE   ISID          KEY                 HOLDER
                127.0.0.1->127.0.0.1:3260  active  80e4527f0005  0x0000000000000abc  yes
                127.0.0.2->127.0.0.2:3260  failed  80e4527f0006  -
                other registrations:
                  iqn.other,i,0x000000000001 key=0x00000000000000bb relative-target-port=2
                """);
    }

    @Test
    void badKeysAndTypesAreRefusedBeforeAnyAgentIsAsked() {
        Run r = run("host", "pr", "register", "v0", "--key", "0xnope", "--data", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).contains("reservation key \"0xnope\" is not 0x and 1..16 hex digits");
        r = run("host", "pr", "reserve", "v0", "--type", "shared", "--data", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).contains("reservation type \"shared\" is not one of [wr-ex, ex-ac, wr-ex-ro");
        r = run("host", "pr", "reserve", "v0", "--data", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        r = run("host", "pr", "show", "v0", "--data", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(r.err()).contains("no running host agent found in " + dir);
    }
}

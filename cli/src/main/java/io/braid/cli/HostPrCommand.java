package io.braid.cli;

import io.braid.host.api.HostControlApi;
import io.braid.host.api.PrActionView;
import io.braid.host.api.PrRequest;
import io.braid.host.pr.PrCdbs;
import io.braid.host.pr.PrResult;
import io.braid.host.pr.PrStatus;
import io.braid.host.pr.PrType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code braid host pr ...}: SCSI-3 persistent reservations of a multipath device across all its
 * paths, as a cluster manager calls {@code mpathpersist}.
 */
@Command(name = "pr", description = {"Persistent reservations of a multipath device, across its paths.",
        "Keys are 0x and up to 16 hex digits, or decimal. Types: wr-ex, ex-ac, wr-ex-ro, ex-ac-ro, wr-ex-ar, ex-ac-ar."},
        subcommands = {HostPrCommand.Register.class, HostPrCommand.Reserve.class, HostPrCommand.Release.class,
                HostPrCommand.Clear.class, HostPrCommand.Preempt.class, HostPrCommand.Show.class})
final class HostPrCommand {

    /** What every subcommand shares: the agent, the device, the output format. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        HostInstanceOptions instance;

        @Parameters(index = "0", paramLabel = "DEVICE", description = "The device (export name or id).")
        String device;

        @Mixin
        OutputOptions output;

        /** Runs one action and prints what it did and the state afterwards. */
        int act(String action, PrRequest body) throws Exception {
            PrActionView v = instance.client().reservationAction(device, action, body);
            return output.print(HostControlApi.JSON, v, (out, view) -> {
                result(out, view.result());
                if (view.status() != null) {
                    out.println();
                    status(out, view.status());
                }
            });
        }
    }

    @Command(name = "register", description = {"Register KEY through every path of the device, and on paths that",
            "appear later; --key 0 unregisters every path (REGISTER AND IGNORE EXISTING KEY)."})
    static final class Register extends Base {
        @Option(names = "--key", required = true, paramLabel = "KEY", description = "The reservation key.")
        String key;

        @Override
        public Integer call() throws Exception {
            PrCdbs.parseKey(key);
            return act("register", new PrRequest(key, null, null, null));
        }
    }

    @Command(name = "reserve", description = "Reserve the device with the registered key through one path.")
    static final class Reserve extends Base {
        @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The reservation type.")
        String type;

        @Override
        public Integer call() throws Exception {
            PrType.parse(type);
            return act("reserve", new PrRequest(null, type, null, null));
        }
    }

    @Command(name = "release", description = "Release this host's reservation (through the path holding it).")
    static final class Release extends Base {
        @Override
        public Integer call() throws Exception {
            return act("release", null);
        }
    }

    @Command(name = "clear", description = "Remove every registration (every host's) and the reservation.")
    static final class Clear extends Base {
        @Override
        public Integer call() throws Exception {
            return act("clear", null);
        }
    }

    @Command(name = "preempt", description = {"Remove the registrations of VICTIM; when VICTIM holds the",
            "reservation, take it with TYPE."})
    static final class Preempt extends Base {
        @Option(names = "--victim", required = true, paramLabel = "VICTIM", description = "The key to preempt.")
        String victim;

        @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The reservation type.")
        String type;

        @Option(names = "--abort", description = "PREEMPT AND ABORT: also abort the victim's tasks.")
        boolean abort;

        @Override
        public Integer call() throws Exception {
            PrCdbs.parseKey(victim);
            PrType.parse(type);
            return act("preempt", new PrRequest(null, type, victim, abort));
        }
    }

    @Command(name = "show", description = {"The registered keys per path and the reservation (holder, type),",
            "read from the unit (READ FULL STATUS, READ RESERVATION)."})
    static final class Show extends Base {
        @Override
        public Integer call() throws Exception {
            return output.print(HostControlApi.JSON, instance.client().reservation(device), HostPrCommand::status);
        }
    }

    /** One line per command sent: {@code PATH  COMMAND  ok|error}. */
    static void result(PrintWriter out, PrResult r) {
        out.println(r.action() + ":");
        for (PrResult.Step s : r.steps()) {
            out.println("  " + s.path() + "  " + s.command() + "  " + (s.error() == null ? "ok" : s.error()));
        }
    }

    /**
     * <pre>
     * v0 (naa.3a1b2c3d4e5f6071) key=0x0000000000000abc generation=5
     * reservation: wr-ex key=0x0000000000000abc holder=127.0.0.1->127.0.0.1:3260
     * PATH                            STATE   ISID          KEY                 HOLDER
     * 127.0.0.1->127.0.0.1:3260       active  80a1b2c30001  0x0000000000000abc  yes
     * </pre>
     */
    static void status(PrintWriter out, PrStatus s) {
        out.println(s.device() + (s.device().equals(s.deviceId()) ? "" : " (" + s.deviceId() + ")")
                + " key=" + (s.key() == null ? "none" : s.key()) + " generation=" + s.generation()
                + (s.preempted() ? " PREEMPTED" : ""));
        PrStatus.Reservation r = s.reservation();
        out.println("reservation: " + (r == null ? "none" : r.type() + " key=" + r.key() + " holder="
                + (r.holderPath() != null ? r.holderPath() : r.holder() != null ? r.holder() : "all registrants")));
        int w = 4;
        for (PrStatus.PathRegistration p : s.paths()) {
            w = Math.max(w, (p.hostPort() + "->" + p.storagePort()).length());
        }
        String f = "%-" + w + "s  %-7s %-13s %-19s %s";
        out.println(String.format(f, "PATH", "STATE", "ISID", "KEY", "HOLDER"));
        for (PrStatus.PathRegistration p : s.paths()) {
            out.println(String.format(f, p.hostPort() + "->" + p.storagePort(), p.state(),
                    p.isid() == null ? "-" : p.isid(), p.key() == null ? "-" : p.key(), p.holder() ? "yes" : "")
                    .stripTrailing());
        }
        if (!s.others().isEmpty()) {
            out.println("other registrations:");
            for (PrStatus.Registrant o : s.others()) {
                out.println("  " + o.initiatorPort() + " key=" + o.key() + " relative-target-port="
                        + o.relativeTargetPortId() + (o.holder() ? " holder" : ""));
            }
        }
        if (s.lastError() != null) {
            out.println("last error: " + s.lastError());
        }
    }
}

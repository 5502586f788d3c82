package io.braid.cli;

import io.braid.node.api.ManagementApi;
import io.braid.node.api.PortalStateView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code braid portal ...}: the storage ports of a running node, and fault drills on them. */
@Command(name = "portal", description = "Portals of a running node: list, and take down or up for fault drills.",
        subcommands = {PortalCommand.ListPortals.class, PortalCommand.Down.class, PortalCommand.Up.class})
final class PortalCommand {

    /** {@code braid portal list}. */
    @Command(name = "list", description = "List the portals with their state and open connections.")
    static final class ListPortals implements Callable<Integer> {
        @Mixin
        InstanceOptions instance;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() throws Exception {
            List<PortalStateView> portals = instance.client().portals();
            return output.print(ManagementApi.JSON, portals, (out, unused) -> {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"PORTAL", "TPGT", "STATE", "CONNECTIONS"});
                for (PortalStateView p : portals) {
                    rows.add(new String[] {p.address(), String.valueOf(p.tpgt()), p.state(),
                            String.valueOf(p.connections())});
                }
                VolumeListCommand.table(out, rows);
            });
        }
    }

    /** {@code braid portal down HOST:PORT}. */
    @Command(name = "down", description = {"Take a portal down (fault drill): close its iSCSI"
            + " connections and refuse new ones until 'braid portal up'."})
    static final class Down extends Change {
        Down() {
            super(false);
        }
    }

    /** {@code braid portal up HOST:PORT}. */
    @Command(name = "up", description = "Bring a portal taken down back up (listening again).")
    static final class Up extends Change {
        Up() {
            super(true);
        }
    }

    abstract static class Change implements Callable<Integer> {
        private final boolean up;

        @Parameters(index = "0", paramLabel = "HOST:PORT",
                description = "The portal as bound, e.g. 127.0.0.1:3260 (see 'braid portal list').")
        String address;

        @Mixin
        InstanceOptions instance;

        @Mixin
        OutputOptions output;

        Change(boolean up) {
            this.up = up;
        }

        @Override
        public Integer call() throws Exception {
            PortalStateView p = instance.client().portal(address, up);
            return output.print(ManagementApi.JSON, p, (out, unused) -> {
                out.println("portal " + p.address() + " " + p.state() + " (" + p.connections()
                        + " connection" + (p.connections() == 1 ? "" : "s") + ")");
            });
        }
    }
}

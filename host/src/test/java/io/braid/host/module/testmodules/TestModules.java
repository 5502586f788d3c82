package io.braid.host.module.testmodules;

import io.braid.policy.spi.DeviceAttributes;
import io.braid.policy.spi.DeviceControl;
import io.braid.policy.spi.ErrorAnalysis;
import io.braid.policy.spi.IoError;
import io.braid.policy.spi.IoRequest;
import io.braid.policy.spi.IoScheduling;
import io.braid.policy.spi.PathInfo;
import io.braid.policy.spi.PathPolicy;
import io.braid.policy.spi.PathRef;
import io.braid.policy.spi.PolicyModule;
import io.braid.policy.spi.Verdict;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real modules for the registry's tests, packaged into jars at test time (they use the SPI and
 * the JDK only, like any module). Each claims devices of vendor BRAID; the name says how it
 * behaves after its first {@link #GOOD_DECISIONS} selections.
 */
public final class TestModules {
    /** Selections a faulty module makes correctly before it misbehaves. */
    public static final int GOOD_DECISIONS = 50;

    private TestModules() {
    }

    /** Shared: round-robin selection that counts. */
    abstract static class Base implements PolicyModule {
        @Override
        public String version() {
            String v = getClass().getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }

        @Override
        public boolean claims(DeviceAttributes device) {
            return device.vendor().equals("BRAID");
        }
    }

    /** Round-robin, well behaved; with at most 2 commands in flight per path. */
    public static final class Good extends Base {
        @Override
        public String name() {
            return "good";
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            return new Limited();
        }
    }

    /** Also says how reservations go: through the last path offered, not re-established after failover. */
    static final class Limited implements PathPolicy, IoScheduling, io.braid.policy.spi.ReservationHandling {
        @Override
        public PathRef reservePath(List<PathRef> paths) {
            return paths.get(paths.size() - 1);
        }

        @Override
        public boolean reestablishAfterFailover() {
            return false;
        }

        private final AtomicInteger next = new AtomicInteger();

        @Override
        public PathRef select(List<PathInfo> candidates, IoRequest io) {
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size())).ref();
        }

        @Override
        public int maxOutstandingPerPath() {
            return 2;
        }

        @Override
        public long queueRank(IoRequest io) {
            return io.offset();
        }
    }

    /** Claims only if it can see neither the agent's classes nor its libraries (its class loader's isolation). */
    public static final class Peeking extends Base {
        @Override
        public String name() {
            return "peeking";
        }

        @Override
        public boolean claims(DeviceAttributes device) {
            return super.claims(device) && !visible("io.braid.host.HostRuntime") && !visible("org.slf4j.Logger")
                    && !visible("io.netty.buffer.ByteBuf") && visible("io.braid.policy.spi.PathRef");
        }

        private static boolean visible(String name) {
            try {
                Class.forName(name, false, Peeking.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            return (candidates, io) -> candidates.get(0).ref();
        }
    }

    /** Selects the first candidate, but after its first decisions switches the device to the last path. */
    public static final class Switching extends Base {
        @Override
        public String name() {
            return "switching";
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            AtomicInteger n = new AtomicInteger();
            return (candidates, io) -> {
                if (n.incrementAndGet() == GOOD_DECISIONS) {
                    List<PathInfo> paths = control.paths();
                    control.switchPath(paths.get(paths.size() - 1).ref(), "test switch");
                }
                return candidates.get(0).ref();
            };
        }
    }

    /** Throws from select after its first decisions. */
    public static final class Throwing extends Base {
        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            AtomicInteger n = new AtomicInteger();
            return (candidates, io) -> {
                if (n.incrementAndGet() > GOOD_DECISIONS) {
                    throw new IllegalStateException("broken on purpose");
                }
                return candidates.get(0).ref();
            };
        }
    }

    /** Stalls in select (60 s) after its first decisions. */
    public static final class Stalling extends Base {
        @Override
        public String name() {
            return "stalling";
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            AtomicInteger n = new AtomicInteger();
            return (candidates, io) -> {
                if (n.incrementAndGet() > GOOD_DECISIONS) {
                    long until = System.nanoTime() + 60_000_000_000L;
                    while (System.nanoTime() < until) {
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            // A stalled module ignores interrupts too.
                        }
                    }
                }
                return candidates.get(0).ref();
            };
        }
    }

    /** Returns a path that was never offered after its first decisions. */
    public static final class WrongPath extends Base {
        @Override
        public String name() {
            return "wrong-path";
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            AtomicInteger n = new AtomicInteger();
            return (candidates, io) -> n.incrementAndGet() > GOOD_DECISIONS
                    ? new PathRef("192.0.2.1", "192.0.2.2:3260", "iqn.nowhere", 9) : candidates.get(0).ref();
        }
    }

    /** Sends every command through the last path; a RESERVATION CONFLICT asks for a reservation action. */
    public static final class ReservationAware extends Base {
        @Override
        public String name() {
            return "reservation-aware";
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            return new LastPath(Verdict.reservationAction("registration lost on the path"));
        }
    }

    /** As {@link ReservationAware}, but a RESERVATION CONFLICT fails the I/O. */
    public static final class ConflictFails extends Base {
        @Override
        public String name() {
            return "conflict-fails";
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            return new LastPath(Verdict.failIo("conflict, not retried"));
        }
    }

    /** The last candidate; {@code onConflict} for RESERVATION CONFLICT, the built-in analysis otherwise. */
    record LastPath(Verdict onConflict) implements PathPolicy, ErrorAnalysis {
        @Override
        public PathRef select(List<PathInfo> candidates, IoRequest io) {
            return candidates.get(candidates.size() - 1).ref();
        }

        @Override
        public Verdict analyze(IoRequest io, IoError error, PathInfo path) {
            return error.kind() == IoError.Kind.STATUS && error.status() == 0x18 ? onConflict : Verdict.builtIn();
        }
    }
}

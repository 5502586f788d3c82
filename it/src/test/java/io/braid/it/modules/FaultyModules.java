package io.braid.it.modules;

import io.braid.policy.spi.DeviceAttributes;
import io.braid.policy.spi.DeviceControl;
import io.braid.policy.spi.PathPolicy;
import io.braid.policy.spi.PolicyModule;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faulty device policy modules for ModulePolicyTest, packaged into jars at test time (SPI and JDK
 * only, like any module). Each claims Braid volumes, selects well for its first
 * {@link #GOOD_DECISIONS} commands, and then breaks.
 */
public final class FaultyModules {
    public static final int GOOD_DECISIONS = 200;

    private FaultyModules() {
    }

    /** Throws from every selection after the first ones. */
    public static final class Throwing implements PolicyModule {
        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public String version() {
            return "1";
        }

        @Override
        public boolean claims(DeviceAttributes device) {
            return device.vendor().equals("BRAID");
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            AtomicInteger n = new AtomicInteger();
            return (candidates, io) -> {
                if (n.incrementAndGet() > GOOD_DECISIONS) {
                    throw new IllegalStateException("selection broken on purpose");
                }
                return candidates.get(n.get() % candidates.size()).ref();
            };
        }
    }

    /** Never returns from a selection after the first ones (a minute, interrupts ignored). */
    public static final class Stalling implements PolicyModule {
        @Override
        public String name() {
            return "stalling";
        }

        @Override
        public String version() {
            return "1";
        }

        @Override
        public boolean claims(DeviceAttributes device) {
            return device.vendor().equals("BRAID");
        }

        @Override
        public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
            AtomicInteger n = new AtomicInteger();
            return (candidates, io) -> {
                if (n.incrementAndGet() > GOOD_DECISIONS) {
                    long until = System.nanoTime() + 60_000_000_000L;
                    while (System.nanoTime() - until < 0) {
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            // Stalls on regardless.
                        }
                    }
                }
                return candidates.get(n.get() % candidates.size()).ref();
            };
        }
    }
}

package io.braid.host.module;

import io.braid.policy.spi.PolicyModule;

/**
 * The parent of every module's class loader: the JDK and the SPI package, nothing of the agent.
 * A module cannot reach host internals (nor clash with the agent's own libraries), and one
 * module's classes never see another's.
 */
final class SpiOnlyClassLoader extends ClassLoader {
    static final SpiOnlyClassLoader INSTANCE = new SpiOnlyClassLoader();
    private static final String SPI = PolicyModule.class.getPackageName() + ".";

    static {
        registerAsParallelCapable();
    }

    private SpiOnlyClassLoader() {
        super("braid-policy-spi", ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SPI)) {
            return PolicyModule.class.getClassLoader().loadClass(name);
        }
        return super.loadClass(name, resolve);
    }
}

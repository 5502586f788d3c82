package io.braid.examples.latency;

import io.braid.policy.spi.DeviceAttributes;
import io.braid.policy.spi.DeviceControl;
import io.braid.policy.spi.PathPolicy;
import io.braid.policy.spi.PolicyModule;

import java.util.Locale;

/**
 * An example device policy module (the template for array vendors): it claims the devices of
 * one vendor that have at least two paths, and runs each with a {@link LatencyPolicy}.
 *
 * <p>The vendor it claims is {@code BRAID} unless the system property
 * {@code braid.example.latency.vendor} says otherwise (read when the module is loaded). The
 * version is the jar manifest's {@code Implementation-Version}.
 */
public final class LatencyPolicyModule implements PolicyModule {
    /** The module's name, as {@code braid host module list} shows it and {@code unload} takes it. */
    public static final String NAME = "latency-weighted";

    private final String vendor = System.getProperty("braid.example.latency.vendor", "BRAID")
            .toUpperCase(Locale.ROOT);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        String v = LatencyPolicyModule.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public boolean claims(DeviceAttributes device) {
        return device.vendor().toUpperCase(Locale.ROOT).equals(vendor) && device.pathCount() >= 2;
    }

    @Override
    public PathPolicy newPolicy(DeviceAttributes device, DeviceControl control) {
        return new LatencyPolicy(control);
    }
}

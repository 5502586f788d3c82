package io.braid.host.multipath;

import io.braid.host.discovery.Device;

/**
 * Chooses the policy of a device the driver adds (the seam the module registry plugs into; see
 * {@link Multipath#policyResolver(PolicyResolver)}). The default gives the built-in policy of the
 * device's {@link PolicyRule}.
 *
 * <p><b>Threads.</b> Called on a session event loop while the device is added: return at once,
 * never block (start slow work, e.g. loading a module jar, elsewhere and move the device later
 * with {@link MultipathDevice#policy(DevicePolicy)}).
 */
@FunctionalInterface
public interface PolicyResolver {
    /**
     * @param device the device's discovery snapshot
     * @param rule   the host.yaml rule that matches it (or the default)
     */
    DevicePolicy policyFor(Device device, PolicyRule rule);

    /** The built-in policy of the rule. */
    PolicyResolver BUILT_IN = (device, rule) -> DevicePolicy.builtIn(rule);
}

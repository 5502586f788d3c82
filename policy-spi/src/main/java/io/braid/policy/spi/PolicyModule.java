package io.braid.policy.spi;

/**
 * A device policy module: the one class of a module jar the agent finds through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.braid.policy.spi.PolicyModule}).
 * It needs a public no-argument constructor. The agent creates one instance per load.
 *
 * <p><b>Threads.</b> {@link #claims} and {@link #newPolicy} run on the module's decision thread
 * while the agent waits at most its decision budget (a module that takes longer, throws, or
 * claims a device another loaded module claims is quarantined). None may block.
 */
public interface PolicyModule {

    /** The module's name, unique among loaded modules: letters, digits, '.', '_' and '-', at most 64. */
    String name();

    /** The module's version, e.g. {@code 1.2.0}; loading another version of a loaded module replaces it. */
    String version();

    /**
     * Whether the module runs {@code device}. Decided by the attributes alone (vendor, product,
     * array type, serials, paths). <b>Ownership.</b> {@code device} is an immutable snapshot.
     */
    boolean claims(DeviceAttributes device);

    /**
     * The policy of one claimed device. The returned object implements {@link PathPolicy} and
     * may implement {@link IoScheduling}, {@link ErrorAnalysis}, {@link FailureScoping} and
     * {@link ReservationHandling}.
     *
     * @param device  the device (immutable snapshot)
     * @param control what the policy may do to the device on its own initiative (thread-safe; keep it)
     */
    PathPolicy newPolicy(DeviceAttributes device, DeviceControl control);

    /**
     * The module is unloaded or replaced: release what it holds (threads, files). Called once, on
     * the module's decision thread, after every device left it; must return within the budget.
     */
    default void close() {
    }
}

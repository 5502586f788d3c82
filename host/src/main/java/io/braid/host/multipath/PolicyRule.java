package io.braid.host.multipath;

import io.braid.host.discovery.Device;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Chooses the policy of the devices it matches ({@code multipath.policies} in host.yaml). A rule
 * matches by device id (exact), or by vendor and product (regular expressions over the whole
 * trimmed INQUIRY field); a field left null matches anything, and a rule with neither matches
 * every device.
 *
 * @param deviceId the VPD 83h id, e.g. {@code naa.3a1b...}, or null
 * @param vendor   T10 vendor identification, a regular expression, or null
 * @param product  product identification, a regular expression, or null
 * @param policy   a built-in policy name ({@link PathSelectors#names()})
 * @param failback for failover-only; null for {@link Failback#IMMEDIATE}
 * @param burst    for service-time (see {@link PathSelectors#create(String, Failback, int)});
 *                 0 for the driver's {@link MultipathConfig#pathBurst()}
 */
public record PolicyRule(String deviceId, Pattern vendor, Pattern product, String policy, Failback failback,
                         int burst) {
    public PolicyRule {
        Objects.requireNonNull(policy, "policy");
        PathSelectors.create(policy, failback, burst == 0 ? PathSelectors.DEFAULT_BURST : burst); // validates
        failback = failback == null ? Failback.IMMEDIATE : failback;
    }

    /** A rule whose burst is the driver's. */
    public PolicyRule(String deviceId, Pattern vendor, Pattern product, String policy, Failback failback) {
        this(deviceId, vendor, product, policy, failback, 0);
    }

    /** This rule with {@code burst} when it names none. */
    PolicyRule withDefaultBurst(int burst) {
        return this.burst != 0 ? this : new PolicyRule(deviceId, vendor, product, policy, failback, burst);
    }

    /** The burst the selector gets: this rule's, else the default. */
    int effectiveBurst() {
        return burst == 0 ? PathSelectors.DEFAULT_BURST : burst;
    }

    /** A rule for every device. */
    public static PolicyRule any(String policy) {
        return new PolicyRule(null, null, null, policy, null);
    }

    public boolean matches(Device d) {
        return (deviceId == null || deviceId.equals(d.id()))
                && (vendor == null || vendor.matcher(d.vendor().trim()).matches())
                && (product == null || product.matcher(d.product().trim()).matches());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyRule r && Objects.equals(deviceId, r.deviceId)
                && Objects.equals(text(vendor), text(r.vendor)) && Objects.equals(text(product), text(r.product))
                && policy.equals(r.policy) && failback == r.failback && burst == r.burst;
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, text(vendor), text(product), policy, failback, burst);
    }

    private static String text(Pattern p) {
        return p == null ? null : p.pattern();
    }
}

package io.braid.host.module;

/**
 * One module as {@code braid host module list} shows it.
 *
 * @param name                the module's name
 * @param version             its version
 * @param builtin             whether it is one of the agent's built-in policies
 * @param state               {@code active}, {@code quarantined}, {@code retiring} or {@code unloaded}
 * @param jar                 the jar it was loaded from, or null for a built-in
 * @param devices             devices it runs now
 * @param decisions           decisions it made (path selections, error verdicts, ranks, scopes)
 * @param errors              decisions that failed: threw, took over the budget, or were invalid
 * @param meanDecisionMicros  mean time of a decision, the wait for its thread included
 * @param inside              commands inside the module now (chosen by it and not yet ended)
 * @param reason              why it is quarantined, or null
 */
public record ModuleInfo(String name, String version, boolean builtin, String state, String jar, int devices,
                         long decisions, long errors, double meanDecisionMicros, long inside, String reason) {
}

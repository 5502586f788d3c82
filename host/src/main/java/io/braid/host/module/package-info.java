/**
 * Device policy modules at run time (the seed "device policy modules", claims 1–40): the
 * {@link io.braid.host.module.ModuleRegistry} loads a module jar into its own class loader,
 * registers it with the multipath driver, moves the devices it claims to it, watches it
 * (decisions, errors, decision time), quarantines it when it misbehaves, and unloads or replaces
 * it without failing I/O. The four built-in policies are modules on the same SPI
 * ({@link io.braid.host.module.BuiltInModules}). See docs/host.md "Device policy modules".
 */
package io.braid.host.module;

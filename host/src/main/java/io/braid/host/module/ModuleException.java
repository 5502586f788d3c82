package io.braid.host.module;

/** Loading or unloading a module failed: a bad jar, an unknown name, a name taken by a built-in. */
public final class ModuleException extends Exception {
    public ModuleException(String message) {
        super(message);
    }

    public ModuleException(String message, Throwable cause) {
        super(message, cause);
    }
}

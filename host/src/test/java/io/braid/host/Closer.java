package io.braid.host;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a test opened (a node, an agent, a multipath driver), closed last-opened first when the
 * test ends, each even when an earlier one fails to close. As a field with
 * {@code @RegisterExtension} it closes after each test by itself.
 */
public final class Closer implements AutoCloseable, AfterEachCallback {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Remembers {@code c} for {@link #close} and returns it. */
    public <T extends AutoCloseable> T add(T c) {
        opened.push(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

package io.braid.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link FileChannel} that outlives thread interrupts, shared by {@link FileBlockDevice} and the
 * page store's drives. A {@code FileChannel} is closed for every thread when one thread blocked in
 * it is interrupted; so that one interrupted worker cannot take a volume or a drive offline, the
 * channel is then reopened (the opener takes the file lock again). The interrupted caller still
 * gets its {@link ClosedByInterruptException}; the other threads retry on the new channel.
 */
public final class ReopeningChannel implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(ReopeningChannel.class);

    /** Opens the file and takes its lock; a failure closes what it opened. */
    @FunctionalInterface
    public interface Opener {
        FileChannel open() throws IOException;
    }

    /** One positional operation on the current channel. */
    @FunctionalInterface
    public interface ChannelOp {
        int apply(FileChannel channel) throws IOException;
    }

    private final String what;
    private final Opener opener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object reopenLock = new Object();
    private volatile FileChannel channel;

    /**
     * @param what    names the file in the log ("drive /srv/d0", "volume file /x/v0.img")
     * @param initial the channel opened (and locked) already
     * @param opener  how to open and lock it again
     */
    public ReopeningChannel(String what, FileChannel initial, Opener opener) {
        this.what = what;
        this.opener = opener;
        this.channel = initial;
    }

    /** The current channel, for a first attempt without a lambda; pass a failure to {@link #reopened}. */
    public FileChannel channel() {
        return channel;
    }

    /**
     * Runs {@code op} on the current channel, retrying on a reopened one when another thread's
     * interrupt closed it.
     */
    public int apply(ChannelOp op) throws IOException {
        while (true) {
            FileChannel ch = channel;
            try {
                return op.apply(ch);
            } catch (ClosedByInterruptException e) {
                // This thread was interrupted: the channel is gone for everyone. Reopen it for the
                // other threads and let the interrupted caller see its failure.
                reopenAfterInterrupt(ch);
                throw e;
            } catch (AsynchronousCloseException e) {
                // Another thread's interrupt closed the channel under us: retry on a fresh one.
                reopenAfterInterrupt(ch);
            } catch (ClosedChannelException e) {
                if (closed.get() || channel == ch) {
                    throw e;
                }
                // The channel was replaced between our read of the field and the call: retry.
            }
        }
    }

    /**
     * After a first attempt on {@code failed} (from {@link #channel()}) threw: reopens when an
     * interrupt closed it and rethrows the interrupted caller's exception; returns normally when
     * the caller should retry through {@link #apply}.
     */
    public void reopened(FileChannel failed, ClosedChannelException e) throws IOException {
        if (e instanceof ClosedByInterruptException) {
            reopenAfterInterrupt(failed);
            throw e;
        }
        // AsynchronousCloseException or plain closed: apply tells a replaced channel from a closed file.
    }

    /** Opens the channel again unless that happened already (or this was closed). */
    public void reopenAfterInterrupt(FileChannel failed) throws IOException {
        synchronized (reopenLock) {
            if (closed.get()) {
                throw new ClosedChannelException();
            }
            if (channel != failed) {
                return; // someone else already reopened
            }
            log.warn("{} was closed by a thread interrupt; reopening it", what);
            channel = opener.open();
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (reopenLock) {
            channel.close(); // releases the lock too
        }
    }
}

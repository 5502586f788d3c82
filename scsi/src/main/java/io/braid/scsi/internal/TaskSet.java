package io.braid.scsi.internal;

import io.braid.scsi.Nexus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The tasks inside {@link CoreTarget#execute} right now, across all nexuses (SAM-5 "Task set"), so
 * that task management can find, abort and wait for them. A task enters when execute starts and
 * leaves when it returns; one the transport still holds (waiting for data-out or CmdSN order) is
 * the transport's to abort.
 */
final class TaskSet {

    private record Key(Nexus nexus, long tag) {
    }

    /** RUNNING -> COMPLETED when execute decides its result first, RUNNING -> ABORTED when task management wins. */
    enum State { RUNNING, COMPLETED, ABORTED }

    /** One task in flight. */
    static final class Entry {
        private final Key key;
        private final int lun;
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);

        private Entry(Key key, int lun) {
            this.key = key;
            this.lun = lun;
        }

        Nexus nexus() {
            return key.nexus();
        }

        long tag() {
            return key.tag();
        }

        /** The LUN number, or {@link Lun#UNSUPPORTED}. */
        int lun() {
            return lun;
        }

        boolean aborted() {
            return state.get() == State.ABORTED;
        }

        /** True when this call aborted the task; false when it had already completed (or was aborted). */
        boolean abort() {
            return state.compareAndSet(State.RUNNING, State.ABORTED);
        }

        /** True when the task's own result stands; false when task management aborted it first. */
        boolean complete() {
            return state.compareAndSet(State.RUNNING, State.COMPLETED);
        }

        /** Waits up to {@code nanos} for the task to leave execute; true when it has. */
        boolean awaitDone(long nanos) throws InterruptedException {
            return done.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
    }

    private final ConcurrentHashMap<Key, Entry> tasks = new ConcurrentHashMap<>();

    /** Adds a task; null when the nexus already has a task with this tag (an overlapped command). */
    Entry register(Nexus nexus, long tag, int lun) {
        Key key = new Key(nexus, tag);
        Entry entry = new Entry(key, lun);
        return tasks.putIfAbsent(key, entry) == null ? entry : null;
    }

    void finish(Entry entry) {
        tasks.remove(entry.key, entry);
        entry.done.countDown();
    }

    Entry find(Nexus nexus, long tag) {
        return tasks.get(new Key(nexus, tag));
    }

    List<Entry> matching(Predicate<Entry> filter) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : tasks.values()) {
            if (filter.test(e)) {
                out.add(e);
            }
        }
        return out;
    }

    int size() {
        return tasks.size();
    }
}

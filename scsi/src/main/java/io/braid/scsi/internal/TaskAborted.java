package io.braid.scsi.internal;

/** Unwinds a handler whose task was aborted by task management; the dispatcher reports TASK ABORTED. */
final class TaskAborted extends RuntimeException {

    static final TaskAborted INSTANCE = new TaskAborted();

    private TaskAborted() {
        super("task aborted", null, false, false);
    }
}

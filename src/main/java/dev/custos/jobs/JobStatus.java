package dev.custos.jobs;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The status values of backup and restore jobs (the spec's backup statuses) and the only transitions between them. Every status change in the catalog goes
 * through {@link #requireTransition}, and the SQL that applies it also checks the old status, so a change that
 * raced with another (a cancel against a completion) changes nothing instead of overwriting the winner.
 *
 * <pre>
 * pending     → in_progress  (a worker claimed the job)
 * pending     → cancelled    (cancelled before it started)
 * pending     → failed       (the database or its connector vanished before it started)
 * in_progress → completed    (tool exited 0, object and manifest stored, size and sha256 recorded)
 * in_progress → failed       (anything else, incl. a worker that died: its lease expired)
 * in_progress → cancelled    (cancelled while running; the tool's process tree was killed)
 * </pre>
 */
public enum JobStatus {
    PENDING("pending"),
    IN_PROGRESS("in_progress"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private static final Map<JobStatus, Set<JobStatus>> ALLOWED = Map.of(
            PENDING, EnumSet.of(IN_PROGRESS, CANCELLED, FAILED),
            IN_PROGRESS, EnumSet.of(COMPLETED, FAILED, CANCELLED),
            COMPLETED, EnumSet.noneOf(JobStatus.class),
            FAILED, EnumSet.noneOf(JobStatus.class),
            CANCELLED, EnumSet.noneOf(JobStatus.class));

    private final String value;

    JobStatus(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public boolean isFinal() {
        return ALLOWED.get(this).isEmpty();
    }

    public boolean canBecome(JobStatus next) {
        return ALLOWED.get(this).contains(next);
    }

    /** @throws IllegalStateException before an illegal transition is attempted */
    public static void requireTransition(JobStatus from, JobStatus to) {
        if (!from.canBecome(to)) {
            throw new IllegalStateException("a job cannot go from " + from.value + " to " + to.value);
        }
    }

    public static JobStatus fromValue(String value) {
        for (JobStatus status : values()) {
            if (status.value.equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown job status " + value);
    }

    public static String allValues() {
        return String.join(", ", java.util.Arrays.stream(values()).map(JobStatus::value).toList());
    }
}

package dev.custos.jobs;

import java.util.Optional;

/** The catalog side of a kind of job: its queue and its leases. Each kind keeps its jobs in its own table. */
public interface JobQueue {

    /** The oldest queued job that may start now, if any. */
    Optional<String> nextPending();

    /** Takes a queued job for {@code owner} with a lease until {@code leaseUntil}; false when another node won it. */
    boolean claim(String id, String owner, long now, long leaseUntil);

    /**
     * Renews the lease of a running job and records its progress. Empty when the job is no longer this owner's (a
     * sweep gave it up); else whether a cancel was requested, from any node.
     */
    Optional<Boolean> heartbeat(String id, String owner, long now, long leaseUntil, long progress);
}

package dev.custos.jobs;

import java.time.Duration;

/**
 * How a kind of job runs.
 *
 * @param workers           jobs that run at once in this process
 * @param pollInterval      how often an idle worker looks for queued jobs (a trigger in this process wakes it at once)
 * @param heartbeatInterval how often a running job renews its lease and records its progress
 * @param leaseTimeout      a job whose lease is older than this belongs to a dead process and is failed
 * @param timeout           the longest a single job may run
 */
public record JobSettings(int workers, Duration pollInterval, Duration heartbeatInterval, Duration leaseTimeout,
        Duration timeout) {

    public JobSettings {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        if (leaseTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("the lease timeout must be at least twice the heartbeat interval");
        }
    }
}

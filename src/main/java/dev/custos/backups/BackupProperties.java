package dev.custos.backups;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.custos.jobs.JobSettings;

/**
 * How backup jobs run ({@code custos.backups.*}).
 *
 * @param workers           backups that run at once in this process
 * @param pollInterval      how often an idle worker looks for queued jobs (a trigger in this process wakes it at once)
 * @param heartbeatInterval how often a running job renews its lease and records its progress
 * @param leaseTimeout      a job whose lease is older than this belongs to a dead process and is failed
 * @param timeout           the longest a single dump may run
 * @param publicUrl         base URL of Custos as clients reach it, for download links; empty to use the request's
 * @param fingerprint       take the source's fingerprint with each dump (a second read of every row, concurrent
 *                          with the dump on PostgreSQL), so test restores can prove the backup complete
 */
@ConfigurationProperties("custos.backups")
public record BackupProperties(
        int workers, Duration pollInterval, Duration heartbeatInterval, Duration leaseTimeout, Duration timeout,
        String publicUrl, boolean fingerprint) {

    public BackupProperties {
        if (workers < 1) {
            throw new IllegalArgumentException("custos.backups.workers must be at least 1, was " + workers);
        }
        if (leaseTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("custos.backups.lease-timeout must be at least twice the heartbeat interval");
        }
    }

    JobSettings jobs() {
        return new JobSettings(workers, pollInterval, heartbeatInterval, leaseTimeout, timeout);
    }
}

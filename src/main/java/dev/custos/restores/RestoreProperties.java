package dev.custos.restores;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.custos.jobs.JobSettings;

/**
 * How restore jobs run ({@code custos.restores.*}).
 *
 * @param workers             restores (and verifications) that run at once in this process
 * @param pollInterval        how often an idle worker looks for queued jobs
 * @param heartbeatInterval   how often a running job renews its lease
 * @param leaseTimeout        a job whose lease is older than this belongs to a dead process and is failed
 * @param timeout             the longest a single restore may run
 * @param testRestoreEngineId engine that hosts the scratch databases of test restores; empty for the backup's own
 *                            engine (or, for a database without an engine, its own server)
 * @param periodicTestRestore how often the newest completed backup of each database is test-restored; 0 for never
 * @param connectTimeout      how long checking a target (exists, empty, in use) may take before a request fails
 */
@ConfigurationProperties("custos.restores")
public record RestoreProperties(
        int workers, Duration pollInterval, Duration heartbeatInterval, Duration leaseTimeout, Duration timeout,
        String testRestoreEngineId, Duration periodicTestRestore, Duration connectTimeout) {

    JobSettings jobs() {
        return new JobSettings(workers, pollInterval, heartbeatInterval, leaseTimeout, timeout);
    }

    boolean periodic() {
        return periodicTestRestore != null && !periodicTestRestore.isZero() && !periodicTestRestore.isNegative();
    }
}

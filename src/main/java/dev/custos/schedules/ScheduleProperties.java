package dev.custos.schedules;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Scheduled backups and retention ({@code custos.schedules.*}).
 *
 * @param enabled                 run scheduled backups and prune automatically (after each backup and periodically);
 *                                off, retention runs only when asked
 * @param tickInterval            how often the scheduler looks for due runs; a run starts at most this late
 * @param catchUp                 after downtime, run a missed backup once at start-up (never one per missed slot);
 *                                off, a missed run is recorded as missed and the schedule goes on
 * @param lateAfter               a run found due longer ago than this was missed (Custos was down), not just
 *                                picked up by the next tick
 * @param overdueGrace            how long after its scheduled time a database without a newer successful backup
 *                                counts as overdue
 * @param retentionSweepInterval  how often every database's retention is applied, besides after each backup
 */
@ConfigurationProperties("custos.schedules")
public record ScheduleProperties(boolean enabled, Duration tickInterval, boolean catchUp, Duration lateAfter,
        Duration overdueGrace, Duration retentionSweepInterval) {

    public ScheduleProperties {
        if (tickInterval.isNegative() || tickInterval.isZero()) {
            throw new IllegalArgumentException("custos.schedules.tick-interval must be positive, was " + tickInterval);
        }
        if (retentionSweepInterval.isNegative() || retentionSweepInterval.isZero()) {
            throw new IllegalArgumentException("custos.schedules.retention-sweep-interval must be positive");
        }
        if (lateAfter.compareTo(tickInterval) < 0) {
            throw new IllegalArgumentException("custos.schedules.late-after must be at least the tick interval");
        }
    }
}

package dev.custos.schedules;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;

/**
 * The periodic work of scheduling, as db-scheduler recurring tasks: db-scheduler claims each execution through the
 * catalog, so with several Custos processes on one PostgreSQL catalog each tick and sweep runs on one of them.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "custos.schedules.enabled", havingValue = "true", matchIfMissing = true)
class ScheduleTasks {

    private static final Logger log = LoggerFactory.getLogger(ScheduleTasks.class);

    @Bean
    RecurringTask<Void> scheduleTick(BackupScheduler scheduler, ScheduleProperties properties) {
        return Tasks.recurring("custos-schedule-tick", Schedules.fixedDelay(properties.tickInterval()))
                .execute((instance, context) -> {
                    BackupScheduler.Tick tick = scheduler.tick();
                    if (!tick.queued().isEmpty() || !tick.skipped().isEmpty() || !tick.missed().isEmpty()) {
                        log.info("Scheduled backups: {} queued, {} skipped, {} missed", tick.queued().size(),
                                tick.skipped().size(), tick.missed().size());
                    }
                });
    }

    @Bean
    RecurringTask<Void> retentionSweep(Retention retention, ScheduleProperties properties) {
        return Tasks.recurring("custos-retention-sweep", Schedules.fixedDelay(properties.retentionSweepInterval()))
                .execute((instance, context) -> {
                    int deleted = retention.sweep();
                    if (deleted > 0) {
                        log.info("Retention sweep pruned {} backup(s)", deleted);
                    }
                });
    }
}

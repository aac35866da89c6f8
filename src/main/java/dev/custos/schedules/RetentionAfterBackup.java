package dev.custos.schedules;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.custos.backups.BackupCompleted;

/**
 * Applies a database's retention as soon as one of its backups completes, so the newest backup is what pushes the
 * oldest out. A failure here never touches the backup that just completed; the periodic sweep tries again.
 */
@Component
class RetentionAfterBackup {

    private static final Logger log = LoggerFactory.getLogger(RetentionAfterBackup.class);

    private final Retention retention;
    private final ScheduleProperties properties;

    RetentionAfterBackup(Retention retention, ScheduleProperties properties) {
        this.retention = retention;
        this.properties = properties;
    }

    @EventListener
    void on(BackupCompleted completed) {
        if (!properties.enabled()) {
            return;
        }
        try {
            retention.prune(completed.databaseId(), "after_backup");
        } catch (RuntimeException e) {
            log.warn("Retention after backup {} failed; the sweep will apply it: {}", completed.backupId(), e.toString());
        }
    }
}

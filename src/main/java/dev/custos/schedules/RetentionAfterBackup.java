package dev.custos.schedules;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.custos.backups.BackupCompleted;

/**
 * Applies a database's retention as soon as one of its backups completes, so the newest backup is what pushes the
 * oldest out. It runs on a thread of its own, not the backup worker's: pruning never delays the next backup, and
 * nothing it does can touch the backup that just completed. Completions of one database that arrive while its
 * pruning waits are one pruning. A failure is logged; the periodic sweep applies retention again.
 */
@Component
class RetentionAfterBackup implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RetentionAfterBackup.class);

    private final Retention retention;
    private final ScheduleProperties properties;
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "custos-retention");
        t.setDaemon(true);
        return t;
    });

    RetentionAfterBackup(Retention retention, ScheduleProperties properties) {
        this.retention = retention;
        this.properties = properties;
    }

    @EventListener
    void on(BackupCompleted completed) {
        if (!properties.enabled() || !waiting.add(completed.databaseId())) {
            return;
        }
        try {
            executor.execute(() -> prune(completed));
        } catch (RejectedExecutionException e) {
            // Shutting down: the sweep at the next start applies it.
            waiting.remove(completed.databaseId());
        }
    }

    private void prune(BackupCompleted completed) {
        waiting.remove(completed.databaseId());
        try {
            retention.prune(completed.databaseId(), "after_backup");
        } catch (RuntimeException e) {
            log.warn("Retention after backup {} failed; the sweep will apply it: {}", completed.backupId(), e.toString());
        }
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}

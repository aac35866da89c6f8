package dev.custos.backups;

import java.time.Clock;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.custos.catalog.CustosProperties;
import dev.custos.jobs.JobWorkers;

/** The worker pool that runs queued backups ({@link JobWorkers}), started and stopped with the application. */
@Component
class BackupWorkers implements SmartLifecycle {

    private final JobWorkers workers;

    BackupWorkers(BackupRepository repository, BackupRunner runner, BackupProperties properties,
            CustosProperties custos, Clock clock) {
        this.workers = new JobWorkers("backup", repository, runner, properties.jobs(), clock, !custos.catalog().isPostgres());
    }

    String node() {
        return workers.node();
    }

    void wake() {
        workers.wake();
    }

    boolean cancelLocally(String id) {
        return workers.cancelLocally(id);
    }

    @Override
    public void start() {
        workers.start();
    }

    @Override
    public void stop() {
        workers.stop();
    }

    @Override
    public boolean isRunning() {
        return workers.isRunning();
    }

    /** Stops before the web server and the catalog: running jobs are ended while they can still be recorded. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }
}

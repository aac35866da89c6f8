package dev.custos.backups;

import java.time.Clock;
import java.util.Optional;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.custos.catalog.CustosProperties;
import dev.custos.jobs.JobHandler;
import dev.custos.jobs.JobQueue;
import dev.custos.jobs.JobSettings;
import dev.custos.jobs.JobWorkers;
import dev.custos.jobs.RunningJob;

/** The worker pool that runs queued backups ({@link JobWorkers}), started and stopped with the application. */
@Component
class BackupWorkers implements SmartLifecycle {

    private final JobWorkers workers;

    BackupWorkers(BackupRepository repository, BackupRunner runner, BackupProperties properties,
            CustosProperties custos, Clock clock) {
        JobQueue queue = new JobQueue() {
            @Override
            public Optional<String> nextPending() {
                return repository.nextPending();
            }

            @Override
            public boolean claim(String id, String owner, long now, long leaseUntil) {
                return repository.claim(id, owner, now, leaseUntil);
            }

            @Override
            public Optional<Boolean> heartbeat(String id, String owner, long now, long leaseUntil, long progress) {
                return repository.heartbeat(id, owner, now, leaseUntil, progress);
            }
        };
        JobHandler handler = new JobHandler() {
            @Override
            public void run(String id, String node, RunningJob job) {
                runner.run(id, node, job);
            }

            @Override
            public void progress(RunningJob job) {
                runner.progress(job);
            }

            @Override
            public void failOrphans(long now, boolean all, String node) {
                for (BackupRepository.Orphan orphan : repository.orphans(now, all, node)) {
                    runner.failOrphan(orphan, all);
                }
            }
        };
        this.workers = new JobWorkers("backup", queue, handler, properties.jobs(), clock, !custos.catalog().isPostgres());
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

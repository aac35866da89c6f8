package dev.custos.backups;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.Ids;

/**
 * The worker pool that runs queued backups, and the housekeeping around it: heartbeats that renew each running
 * job's lease and carry cancel requests made on any node, a timeout per job, and sweeps that fail the jobs of
 * processes that died (at start-up, and whenever a lease runs out).
 */
@Component
class BackupWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BackupWorkers.class);

    /** A progress line goes to the execution log every this many heartbeats. */
    private static final int PROGRESS_EVERY = 6;

    private final BackupRepository repository;
    private final BackupRunner runner;
    private final BackupProperties properties;
    private final Clock clock;
    private final boolean singleProcessCatalog;
    private final String node = Ids.newId("node");
    private final Map<String, RunningJob> running = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);

    private volatile boolean active;
    private ExecutorService workers;
    private ScheduledExecutorService ticker;

    BackupWorkers(BackupRepository repository, BackupRunner runner, BackupProperties properties,
            CustosProperties custos, Clock clock) {
        this.repository = repository;
        this.runner = runner;
        this.properties = properties;
        this.clock = clock;
        // A SQLite catalog is one process's by design: a job that is running at start-up was left by a dead process.
        this.singleProcessCatalog = !custos.catalog().isPostgres();
    }

    String node() {
        return node;
    }

    /** A job was queued: a sleeping worker looks at once instead of at its next poll. */
    void wake() {
        wake.release();
    }

    /** Cancels a job if it runs in this process; true when it did. */
    boolean cancelLocally(String id) {
        RunningJob job = running.get(id);
        if (job == null) {
            return false;
        }
        job.stop(RunningJob.Stop.CANCELLED);
        return true;
    }

    @Override
    public void start() {
        sweep(singleProcessCatalog);
        active = true;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(properties.workers(), r -> {
            Thread t = new Thread(r, "custos-backup-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < properties.workers(); i++) {
            workers.submit(this::work);
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "custos-backup-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long beat = properties.heartbeatInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::heartbeats, beat, beat, TimeUnit.MILLISECONDS);
        long sweep = Math.max(1000, properties.leaseTimeout().toMillis() / 2);
        ticker.scheduleWithFixedDelay(() -> sweep(false), sweep, sweep, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        active = false;
        running.values().forEach(job -> job.stop(RunningJob.Stop.SHUTDOWN));
        wake.release(properties.workers());
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                    log.warn("Backup workers did not stop within 30 s; their jobs will be failed at the next start");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return active;
    }

    /** Stops before the web server and the catalog: running jobs are ended while they can still be recorded. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    private void work() {
        while (active) {
            try {
                Optional<String> claimed = claimNext();
                if (claimed.isPresent()) {
                    run(claimed.get());
                } else {
                    wake.tryAcquire(properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A catalog hiccup (busy SQLite, a dropped connection) must not kill the worker: wait and go on.
                log.warn("Backup worker could not claim a job: {}", e.toString());
                sleepQuietly(properties.pollInterval());
            }
        }
    }

    private Optional<String> claimNext() {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<String> next = repository.nextPending();
            if (next.isEmpty()) {
                return Optional.empty();
            }
            long now = clock.millis();
            if (repository.claim(next.get(), node, now, now + properties.leaseTimeout().toMillis())) {
                return next;
            }
        }
        return Optional.empty();
    }

    private void run(String id) {
        RunningJob job = new RunningJob(id, clock.millis());
        running.put(id, job);
        try {
            if (!active) {
                job.stop(RunningJob.Stop.SHUTDOWN);
            }
            runner.run(id, node, job);
        } finally {
            running.remove(id);
        }
    }

    private void heartbeats() {
        for (RunningJob job : running.values()) {
            try {
                long now = clock.millis();
                Optional<Boolean> cancelRequested = repository.heartbeat(job.id(), node, now,
                        now + properties.leaseTimeout().toMillis(), job.rawBytes());
                if (cancelRequested.isEmpty()) {
                    job.stop(RunningJob.Stop.LEASE_LOST);
                } else if (cancelRequested.get()) {
                    job.stop(RunningJob.Stop.CANCELLED);
                } else if (now - job.startedAt() > properties.timeout().toMillis()) {
                    job.stop(RunningJob.Stop.TIMEOUT);
                }
                if (job.beat() % PROGRESS_EVERY == 0) {
                    runner.progress(job);
                }
            } catch (RuntimeException e) {
                log.warn("Heartbeat of backup {} failed: {}", job.id(), e.toString());
            }
        }
    }

    /** Fails the jobs of dead processes: all running jobs not ours ({@code all}), or those whose lease expired. */
    private void sweep(boolean all) {
        try {
            for (BackupRepository.Orphan orphan : repository.orphans(clock.millis(), all, node)) {
                runner.failOrphan(orphan, all);
            }
        } catch (RuntimeException e) {
            log.warn("Sweep for abandoned backups failed: {}", e.toString());
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

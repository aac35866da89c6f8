package dev.custos.jobs;

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

import dev.custos.catalog.Ids;

/**
 * A worker pool that runs one kind of queued job, and the housekeeping around it: heartbeats that renew each
 * running job's lease and carry cancel requests made on any node, a timeout per job, and sweeps that fail the jobs
 * of processes that died (at start-up, and whenever a lease runs out). Backups and restores each own one.
 */
public final class JobWorkers {

    private static final Logger log = LoggerFactory.getLogger(JobWorkers.class);

    /** A progress line goes to the execution log every this many heartbeats. */
    private static final int PROGRESS_EVERY = 6;

    private final String name;
    private final JobQueue queue;
    private final JobHandler handler;
    private final JobSettings settings;
    private final Clock clock;
    private final boolean singleProcessCatalog;
    private final String node = Ids.newId("node");
    private final Map<String, RunningJob> running = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);

    private volatile boolean active;
    private ExecutorService workers;
    private ScheduledExecutorService ticker;

    /**
     * @param name                 the kind of job, for thread names and log lines ("backup")
     * @param singleProcessCatalog the catalog is this process's alone (SQLite): a job running at start-up was left
     *                             by a dead process
     */
    public JobWorkers(String name, JobQueue queue, JobHandler handler, JobSettings settings, Clock clock,
            boolean singleProcessCatalog) {
        this.name = name;
        this.queue = queue;
        this.handler = handler;
        this.settings = settings;
        this.clock = clock;
        this.singleProcessCatalog = singleProcessCatalog;
    }

    public String node() {
        return node;
    }

    /** A job was queued: a sleeping worker looks at once instead of at its next poll. */
    public void wake() {
        wake.release();
    }

    /** Cancels a job if it runs in this process; true when it did. */
    public boolean cancelLocally(String id) {
        RunningJob job = running.get(id);
        if (job == null) {
            return false;
        }
        job.stop(RunningJob.Stop.CANCELLED);
        return true;
    }

    public void start() {
        sweep(singleProcessCatalog);
        active = true;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "custos-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < settings.workers(); i++) {
            workers.submit(this::work);
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "custos-" + name + "-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long beat = settings.heartbeatInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::heartbeats, beat, beat, TimeUnit.MILLISECONDS);
        long sweep = Math.max(1000, settings.leaseTimeout().toMillis() / 2);
        ticker.scheduleWithFixedDelay(() -> sweep(false), sweep, sweep, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        active = false;
        running.values().forEach(job -> job.stop(RunningJob.Stop.SHUTDOWN));
        wake.release(settings.workers());
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                    log.warn("{} workers did not stop within 30 s; their jobs will be failed at the next start", name);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isRunning() {
        return active;
    }

    private void work() {
        while (active) {
            try {
                Optional<String> claimed = claimNext();
                if (claimed.isPresent()) {
                    run(claimed.get());
                } else {
                    wake.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A catalog hiccup (busy SQLite, a dropped connection) must not kill the worker: wait and go on.
                log.warn("{} worker could not claim a job: {}", name, e.toString());
                sleepQuietly(settings.pollInterval());
            }
        }
    }

    private Optional<String> claimNext() {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<String> next = queue.nextPending();
            if (next.isEmpty()) {
                return Optional.empty();
            }
            long now = clock.millis();
            if (queue.claim(next.get(), node, now, now + settings.leaseTimeout().toMillis())) {
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
            handler.run(id, node, job);
        } catch (RuntimeException e) {
            log.error("{} {} ended with an unexpected error", name, id, e);
        } finally {
            running.remove(id);
        }
    }

    private void heartbeats() {
        for (RunningJob job : running.values()) {
            try {
                long now = clock.millis();
                Optional<Boolean> cancelRequested = queue.heartbeat(job.id(), node, now,
                        now + settings.leaseTimeout().toMillis(), job.rawBytes());
                if (cancelRequested.isEmpty()) {
                    job.stop(RunningJob.Stop.LEASE_LOST);
                } else if (cancelRequested.get()) {
                    job.stop(RunningJob.Stop.CANCELLED);
                } else if (now - job.startedAt() > settings.timeout().toMillis()) {
                    job.stop(RunningJob.Stop.TIMEOUT);
                }
                if (job.beat() % PROGRESS_EVERY == 0) {
                    handler.progress(job);
                }
            } catch (RuntimeException e) {
                log.warn("Heartbeat of {} {} failed: {}", name, job.id(), e.toString());
            }
        }
    }

    private void sweep(boolean all) {
        try {
            handler.failOrphans(clock.millis(), all, node);
        } catch (RuntimeException e) {
            log.warn("Sweep for abandoned {} jobs failed: {}", name, e.toString());
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

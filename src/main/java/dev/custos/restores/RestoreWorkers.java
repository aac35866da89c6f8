package dev.custos.restores;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.custos.api.ApiException;
import dev.custos.catalog.CustosProperties;
import dev.custos.jobs.JobWorkers;

/**
 * The worker pool that runs queued restores, test restores and verifications ({@link JobWorkers}), and, when
 * {@code custos.restores.periodic-test-restore} is set, the timer that queues a test restore of each database's
 * newest backup that has not been proven restorable yet.
 */
@Component
class RestoreWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RestoreWorkers.class);

    private final JobWorkers workers;
    private final RestoreRepository repository;
    private final RestoreProperties properties;
    private final ApplicationContext context;
    private ScheduledExecutorService periodic;

    RestoreWorkers(RestoreRepository repository, RestoreRunner runner, RestoreProperties properties,
            CustosProperties custos, Clock clock, ApplicationContext context) {
        this.repository = repository;
        this.properties = properties;
        this.context = context;
        this.workers = new JobWorkers("restore", repository, runner, properties.jobs(), clock, !custos.catalog().isPostgres());
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
        if (properties.periodic()) {
            periodic = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "custos-test-restore-timer");
                t.setDaemon(true);
                return t;
            });
            long every = properties.periodicTestRestore().toMillis();
            periodic.scheduleWithFixedDelay(this::queueTestRestores, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Queues a test restore of every database's newest completed backup not yet proven by one. */
    void queueTestRestores() {
        try {
            RestoreService service = context.getBean(RestoreService.class);
            for (String backupId : repository.newestUntestedBackups()) {
                try {
                    service.verify(backupId, "test_restore", "scheduler");
                } catch (ApiException e) {
                    // already queued or running, or the backup changed meanwhile: the next round sees it again
                }
            }
        } catch (RuntimeException e) {
            log.warn("Queueing the periodic test restores failed: {}", e.toString());
        }
    }

    @Override
    public void stop() {
        if (periodic != null) {
            periodic.shutdownNow();
        }
        workers.stop();
    }

    @Override
    public boolean isRunning() {
        return workers.isRunning();
    }

    /** Stops with the backup workers, before the web server and the catalog. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }
}

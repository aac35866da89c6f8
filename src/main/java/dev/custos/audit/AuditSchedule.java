package dev.custos.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit trail's periodic work in the server: signs the chain head every {@code custos.audit.checkpoint-interval}
 * when events were written since the last checkpoint (so a quiet trail is covered by a signature within that time,
 * not only after N more events), and archives expired events every {@code custos.audit.archive-interval}. At start-up
 * it seals the events from before the chain existed, so that verification works before anything is written.
 */
@Component
class AuditSchedule implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditSchedule.class);

    private final AuditChain chain;
    private final AuditCheckpoints checkpoints;
    private final AuditRetention retention;
    private final Duration interval;
    private final Duration archiveInterval;
    private final Clock clock;
    private final TransactionTemplate tx;
    private ScheduledExecutorService executor;

    AuditSchedule(AuditChain chain, AuditCheckpoints checkpoints, AuditRetention retention, AuditProperties properties,
            Clock clock, PlatformTransactionManager transactions) {
        this.chain = chain;
        this.checkpoints = checkpoints;
        this.retention = retention;
        this.interval = properties.checkpointInterval();
        this.archiveInterval = properties.archiveInterval();
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    @Override
    public synchronized void start() {
        tx.executeWithoutResult(s -> chain.sealUnsealed());
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "custos-audit-checkpoints");
            t.setDaemon(true);
            return t;
        });
        if (interval != null && interval.toMillis() > 0) {
            executor.scheduleWithFixedDelay(this::checkpointSafely, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        if (archiveInterval != null && archiveInterval.toMillis() > 0) {
            executor.scheduleWithFixedDelay(this::archiveSafely, Math.min(archiveInterval.toMillis(), 60_000),
                    archiveInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void archiveSafely() {
        try {
            retention.archiveExpired();
        } catch (RuntimeException e) {
            log.warn("Could not archive expired audit events; retrying in {}", archiveInterval, e);
        }
    }

    /** Signs the head if it moved since the last checkpoint; returns whether it did. */
    boolean checkpoint() {
        Boolean signed = tx.execute(s -> {
            AuditChain.Head head = chain.lockHead();
            long last = checkpoints.latest().map(Checkpoint::sequence).orElse(0L);
            if (head.lastHash() == null || head.lastSequence() <= last) {
                return false;
            }
            checkpoints.sign(head.lastSequence(), head.lastHash(), clock.millis());
            return true;
        });
        return Boolean.TRUE.equals(signed);
    }

    private void checkpointSafely() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            log.warn("Could not sign an audit checkpoint; retrying in {}", interval, e);
        }
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}

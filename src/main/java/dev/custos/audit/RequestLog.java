package dev.custos.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.catalog.Filters;
import dev.custos.catalog.Timestamps;

/**
 * The request log of {@code 004_*}: every API request's method, path, status, duration, actor and address. Unlike
 * audit events it is not part of the chain and is not written in the request's transaction: requests are queued and
 * written in batches by one thread, so logging a read costs the read no catalog write. A full queue (the catalog
 * down or far behind) drops entries and counts them, rather than holding requests up.
 */
@Component
public class RequestLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RequestLog.class);
    private static final int CAPACITY = 100_000;
    private static final int BATCH = 1_000;
    private static final Duration FLUSH_EVERY = Duration.ofMillis(200);
    private static final Duration PURGE_EVERY = Duration.ofHours(1);

    /** One request as logged. */
    record Entry(long occurredAt, String method, String path, int status, long durationMs, String userId,
            String ipAddress, String userAgent, String requestId) {
    }

    private final JdbcTemplate jdbc;
    private final JdbcClient queries;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final AuditLog audit;
    private final Duration retention;
    private long lastPurge;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private volatile Thread writer;

    RequestLog(JdbcTemplate jdbc, PlatformTransactionManager transactions, Clock clock, AuditLog audit,
            AuditProperties properties) {
        this.jdbc = jdbc;
        this.queries = JdbcClient.create(jdbc);
        this.tx = new TransactionTemplate(transactions);
        this.audit = audit;
        this.retention = properties.requestLogRetention();
        this.clock = clock;
    }

    /** A logged request as the API shows it. */
    record Logged(long seq, long occurredAt, String method, String path, int status, long durationMs, String userId,
            String ipAddress, String userAgent, String requestId) {

        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", seq);
            m.put("timestamp", Timestamps.format(Instant.ofEpochMilli(occurredAt)));
            m.put("method", method);
            m.put("path", path);
            m.put("status", status);
            m.put("duration_ms", durationMs);
            m.put("user_id", userId);
            m.put("ip_address", ipAddress);
            m.put("user_agent", userAgent);
            m.put("request_id", requestId);
            return m;
        }
    }

    /** The filters of {@code GET /api/audit/requests}; null for "any". */
    record Query(String method, String path, Integer status, String userId, String ipAddress, String requestId,
            Long from, Long until, Long minDurationMs) {
    }

    /** Newest first; {@code cursor} continues after the last entry of a page. Reads up to {@code limit} entries. */
    List<Logged> page(Query q, int limit, Long cursor) {
        Filters f = new Filters()
                .add("method = :method", "method", q.method())
                .add("path = :path", "path", q.path())
                .add("status = :status", "status", q.status())
                .add("user_id = :userId", "userId", q.userId())
                .add("ip_address = :ip", "ip", q.ipAddress())
                .add("request_id = :requestId", "requestId", q.requestId())
                .add("occurred_at >= :from", "from", q.from())
                .add("occurred_at < :until", "until", q.until())
                .add("duration_ms >= :minDuration", "minDuration", q.minDurationMs())
                .add("seq < :cursor", "cursor", cursor);
        return queries.sql("SELECT * FROM request_logs" + f.where() + " ORDER BY seq DESC LIMIT " + limit)
                .params(f.params())
                .query((rs, n) -> new Logged(rs.getLong("seq"), rs.getLong("occurred_at"), rs.getString("method"),
                        rs.getString("path"), rs.getInt("status"), rs.getLong("duration_ms"), rs.getString("user_id"),
                        rs.getString("ip_address"), rs.getString("user_agent"), rs.getString("request_id")))
                .list();
    }

    /** One page of the matches of {@code q} ({@code limit} at most, after {@code cursor}) as the API shows it. */
    Map<String, Object> body(Query q, int limit, Long cursor) {
        List<Logged> rows = page(q, limit + 1, cursor);
        boolean more = rows.size() > limit;
        List<Logged> shown = more ? rows.subList(0, limit) : rows;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", shown.size());
        body.put("requests", shown.stream().map(Logged::view).toList());
        body.put("has_more", more);
        body.put("next_cursor", more ? String.valueOf(shown.get(shown.size() - 1).seq()) : null);
        return body;
    }

    /**
     * The requests {@code actorId} made (an API key's usage log), newest first, as {@code GET /api/audit/requests}
     * shows them; {@code limit} and {@code cursor} are the query's raw parameters, checked here.
     */
    public Map<String, Object> byActor(String actorId, String limit, String cursor) {
        AuditParams p = new AuditParams();
        int l = p.integer("limit", limit, 1, AuditController.MAX_LIMIT, AuditController.DEFAULT_LIMIT);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        p.throwIfInvalid(List.of());
        return body(new Query(null, null, null, actorId, null, null, null, null, null), l, c);
    }

    /**
     * Removes the entries older than the retention ({@code custos.audit.request-log-retention}, 90 days by default, as
     * {@code 004_*} keeps server-level logs); the purge is itself an audit event. Returns how many were removed.
     */
    int purgeExpired() {
        long before = clock.millis() - retention.toMillis();
        Integer removed = tx.execute(s -> {
            int n = jdbc.update("DELETE FROM request_logs WHERE occurred_at < ?", before);
            if (n > 0) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("removed", n);
                details.put("older_than", Timestamps.format(Instant.ofEpochMilli(before)));
                details.put("retention_days", retention.toDays());
                audit.success(AuditEvent.of("request_log_purged", "audit", null, "Request log", details));
            }
            return n;
        });
        return removed == null ? 0 : removed;
    }

    void record(String method, String path, int status, long durationMs, String userId, String ip, String userAgent,
            String requestId) {
        Entry e = new Entry(clock.millis(), method, truncate(path, 2048), status, durationMs, userId, ip,
                truncate(userAgent, 512), requestId);
        if (!queue.offer(e)) {
            dropped.incrementAndGet();
        }
    }

    /** Writes everything queued so far; the writer thread calls it, and tests to read their own requests. */
    void flush() {
        flush(null);
    }

    private synchronized void flush(Entry first) {
        List<Entry> batch = new ArrayList<>(BATCH);
        if (first != null) {
            batch.add(first);
        }
        while (queue.drainTo(batch, BATCH - batch.size()) > 0 || !batch.isEmpty()) {
            // One transaction per batch: one commit (on SQLite one write lock) for up to a thousand requests.
            tx.executeWithoutResult(s -> jdbc.batchUpdate("INSERT INTO request_logs (occurred_at, method, path, status, duration_ms, user_id,"
                            + " ip_address, user_agent, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch, batch.size(),
                    (ps, e) -> {
                        ps.setLong(1, e.occurredAt());
                        ps.setString(2, e.method());
                        ps.setString(3, e.path());
                        ps.setInt(4, e.status());
                        ps.setLong(5, e.durationMs());
                        ps.setString(6, e.userId());
                        ps.setString(7, e.ipAddress());
                        ps.setString(8, e.userAgent());
                        ps.setString(9, e.requestId());
                    }));
            batch.clear();
        }
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            log.warn("The request log fell behind and dropped {} entries", lost);
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Entry first = queue.poll(FLUSH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                if (first != null) {
                    flush(first);
                }
                if (clock.millis() - lastPurge > PURGE_EVERY.toMillis()) {
                    lastPurge = clock.millis();
                    purgeExpired();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("Could not write the request log; retrying", e);
                sleepQuietly();
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    @Override
    public synchronized void start() {
        Thread t = new Thread(this::run, "custos-request-log");
        t.setDaemon(true);
        writer = t;
        t.start();
    }

    @Override
    public void stop() {
        Thread t = writer;
        writer = null;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Could not write the last request log entries at shutdown", e);
        }
    }

    @Override
    public boolean isRunning() {
        return writer != null;
    }
}

package dev.custos.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.custos.audit.RequestIds;
import dev.custos.catalog.Filters;
import dev.custos.catalog.Ids;
import dev.custos.catalog.Timestamps;

/**
 * Security events: failed sign-ins, unknown, expired or revoked keys and tokens, refused requests and lockouts, each
 * with who was claimed, from where, and why. They are written at once, outside any transaction, and kept apart from
 * the audit chain: failures come from people who are not users, and must not be able to flood the trail of what
 * users did. Their rate is capped ({@link #admit}); the rest are counted and logged as suppressed.
 * They expire with the request log.
 */
@Service
public class SecurityEvents {

    private static final Logger log = LoggerFactory.getLogger(SecurityEvents.class);
    static final int MAX_PER_SECOND = 100;
    static final int MAX_PER_SOURCE_PER_MINUTE = 10;
    static final List<String> TYPES = List.of("sign_in_failed", "sign_in_locked", "api_key_invalid", "api_key_expired",
            "api_key_revoked", "token_invalid", "token_expired", "access_denied");
    private static final long PURGE_EVERY_MILLIS = 3_600_000;

    /** A recorded event as the API shows it. */
    public record Event(String id, long seq, Instant timestamp, String type, String severity, String principal,
            String userId, String keyId, String reason, String ipAddress, String userAgent, String method, String path,
            String requestId) {
    }

    /** The filters of {@code GET /api/security-events}; null for "any". */
    record Query(String type, String principal, String ipAddress, String keyId, Long from, Long until) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration retention;
    private final AtomicLong lastPurge = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private long second;
    private int inSecond;
    private long minute;
    private final Map<String, Integer> perSource = new java.util.HashMap<>();

    SecurityEvents(JdbcClient jdbc, Clock clock, dev.custos.audit.AuditProperties audit) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = audit.requestLogRetention();
    }

    /**
     * Records one event of {@code type} about {@code request}. {@code principal} is who was claimed (a username, a
     * key's prefix; none for a refused token, whose claims cannot be trusted), {@code userId}/{@code keyId} what it
     * resolved to, when it did. Expired events are deleted at most hourly, as events are written.
     */
    void record(HttpServletRequest request, String type, String principal, String userId, String keyId,
            String reason) {
        long now = clock.millis();
        if (!admit(now, type, request.getRemoteAddr() + "|" + principal)) {
            return;
        }
        try {
            jdbc.sql("""
                    INSERT INTO security_events (id, occurred_at, type, severity, principal, user_id, key_id, reason,
                        ip_address, user_agent, method, path, request_id)
                    VALUES (:id, :at, :type, :severity, :principal, :user, :key, :reason, :ip, :agent, :method, :path,
                        :request)
                    """)
                    .param("id", Ids.newId("sec")).param("at", now).param("type", type)
                    .param("severity", severity(type)).param("principal", truncate(principal, 200))
                    .param("user", userId).param("key", keyId).param("reason", truncate(reason, 1000))
                    .param("ip", request.getRemoteAddr()).param("agent", truncate(request.getHeader("User-Agent"), 512))
                    .param("method", request.getMethod()).param("path", truncate(request.getRequestURI(), 2048))
                    .param("request", (String) request.getAttribute(RequestIds.ATTRIBUTE))
                    .update();
            long last = lastPurge.get();
            if (now - last >= PURGE_EVERY_MILLIS && lastPurge.compareAndSet(last, now)) {
                purgeExpired();
            }
        } catch (RuntimeException e) {
            // The refusal stands whether or not it could be recorded.
            log.warn("Could not record the security event {} ({}): {}", type, reason, e.toString());
        }
    }

    /** Newest first; {@code cursor} continues after the last event of a page. */
    List<Event> page(Query q, int limit, Long cursor) {
        Filters f = new Filters()
                .add("type = :type", "type", q.type())
                .add("principal = :principal", "principal", q.principal())
                .add("ip_address = :ip", "ip", q.ipAddress())
                .add("key_id = :key", "key", q.keyId())
                .add("occurred_at >= :from", "from", q.from())
                .add("occurred_at < :until", "until", q.until())
                .add("seq < :cursor", "cursor", cursor);
        return jdbc.sql("SELECT * FROM security_events" + f.where() + " ORDER BY seq DESC LIMIT " + limit)
                .params(f.params())
                .query((rs, n) -> new Event(rs.getString("id"), rs.getLong("seq"),
                        Timestamps.fromMillis(rs.getLong("occurred_at")), rs.getString("type"),
                        rs.getString("severity"), rs.getString("principal"), rs.getString("user_id"),
                        rs.getString("key_id"), rs.getString("reason"), rs.getString("ip_address"),
                        rs.getString("user_agent"), rs.getString("method"), rs.getString("path"),
                        rs.getString("request_id")))
                .list();
    }

    /** How many events of each type were recorded since {@code from}: the figures a dashboard shows. */
    Map<String, Long> countsSince(long from) {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.sql("SELECT type, count(*) AS n FROM security_events WHERE occurred_at >= ? GROUP BY type ORDER BY type")
                .param(from).query(rs -> {
                    counts.put(rs.getString("type"), rs.getLong("n"));
                });
        return counts;
    }

    int purgeExpired() {
        return jdbc.sql("DELETE FROM security_events WHERE occurred_at < ?")
                .param(clock.millis() - retention.toMillis()).update();
    }

    /**
     * Whether to write an event: at most {@link #MAX_PER_SOURCE_PER_MINUTE} a minute of one type from one address
     * for one principal (a script looping on a refused call records ten, not thousands), and at most
     * {@link #MAX_PER_SECOND} a second overall, except the critical types (lockouts, revoked keys), which the others
     * must not crowd out.
     */
    private synchronized boolean admit(long now, String type, String source) {
        long s = now / 1000;
        if (s != second) {
            long lost = suppressed.getAndSet(0);
            if (lost > 0) {
                log.warn("{} security events were not recorded: more than {} a second, or more than {} a minute of"
                        + " one kind from one source", lost, MAX_PER_SECOND, MAX_PER_SOURCE_PER_MINUTE);
            }
            second = s;
            inSecond = 0;
        }
        long m = now / 60_000;
        if (m != minute || perSource.size() > 10_000) {
            minute = m;
            perSource.clear();
        }
        int fromSource = perSource.merge(type + "|" + source, 1, Integer::sum);
        boolean critical = severity(type).equals("critical");
        if (fromSource > MAX_PER_SOURCE_PER_MINUTE || (!critical && inSecond >= MAX_PER_SECOND)) {
            suppressed.incrementAndGet();
            return false;
        }
        inSecond++;
        return true;
    }

    static String severity(String type) {
        return switch (type) {
            case "sign_in_locked", "api_key_revoked" -> "critical";
            default -> "warning";
        };
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}

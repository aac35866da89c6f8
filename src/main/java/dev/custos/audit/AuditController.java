package dev.custos.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.custos.catalog.Timestamps;

/**
 * The audit trail's API: {@code GET /api/audit} as the spec has it (plus the classification filters and a keyset
 * {@code cursor}), one event, the values in use, the question-shaped endpoints of {@code 002_*} (history of a
 * resource, recent events, events of an action, a time range), and the chain's verification and public key.
 */
@RestController
@RequestMapping("/api/audit")
class AuditController {

    private static final int SPEC_DEFAULT_LIMIT = 50;
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private final AuditService audit;
    private final AuditExport exports;
    private final RequestLog requests;
    private final AuditRetention retention;
    private final Clock clock;

    AuditController(AuditService audit, AuditExport exports, RequestLog requests, AuditRetention retention, Clock clock) {
        this.audit = audit;
        this.exports = exports;
        this.requests = requests;
        this.retention = retention;
        this.clock = clock;
    }

    @GetMapping
    Map<String, Object> list(@ParameterObject AuditFilters filters,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String offset,
            @RequestParam(required = false) String cursor,
            @RequestParam(name = "exact_total", required = false) String exactTotal) {
        AuditParams p = new AuditParams();
        AuditQuery q = filters.toQuery(p);
        boolean exact = Boolean.TRUE.equals(p.bool("exact_total", exactTotal));
        int l = p.integer("limit", limit, 1, MAX_LIMIT, SPEC_DEFAULT_LIMIT);
        int o = p.integer("offset", offset, 0, Integer.MAX_VALUE, 0);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        if (c != null && o > 0) {
            p.problem("give either cursor or offset, not both: cursor continues after the last event of a page");
        }
        p.throwIfInvalid(List.of());
        AuditService.Page page = audit.list(q, l, o, c, exact ? AuditService.Count.EXACT : AuditService.Count.CAPPED);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("logs", views(page.events()));
        body.put("total", page.total());
        body.put("total_exact", page.totalExact());
        body.put("has_more", page.hasMore());
        body.put("next_cursor", page.nextCursor() == null ? null : String.valueOf(page.nextCursor()));
        return body;
    }

    /**
     * The events matching the filters of {@code GET /api/audit}, oldest first, streamed: {@code jsonl} (verifiable
     * offline with {@code custos audit verify}) or {@code csv}. An export hands the trail out, so it is audited itself.
     */
    @GetMapping("/export")
    void export(@ParameterObject AuditFilters filters, @RequestParam(required = false) String format,
            HttpServletResponse response) throws IOException {
        AuditParams p = new AuditParams();
        AuditQuery q = filters.toQuery(p);
        String f = p.oneOf("format", format, List.of("jsonl", "csv"));
        p.throwIfInvalid(List.of());
        String chosen = f == null ? "jsonl" : f;
        long now = clock.millis();
        audit.recordExport(chosen, filters.given());
        String name = "custos-audit-" + Timestamps.format(Instant.ofEpochMilli(now)).replace(":", "") + "." + chosen;
        // Written as it is read, on this thread: no async timeout cuts a long export short, and memory stays bounded.
        response.setContentType(chosen.equals("csv") ? "text/csv;charset=UTF-8" : "application/x-ndjson;charset=UTF-8");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString());
        OutputStream out = response.getOutputStream();
        if (chosen.equals("csv")) {
            exports.csv(q, out);
        } else {
            exports.jsonl(q, filters.given(), out, now);
        }
        out.flush();
    }

    @GetMapping("/actions")
    Map<String, Object> actions() {
        return Map.of("actions", audit.valuesInUse("action"));
    }

    @GetMapping("/resource-types")
    Map<String, Object> resourceTypes() {
        return Map.of("resource_types", audit.valuesInUse("resource_type"));
    }

    /** "Who changed this, when, and what was it before?": one resource's events, newest first, with before/after. */
    @GetMapping("/history")
    Map<String, Object> history(
            @RequestParam(name = "resource_type", required = false) String resourceType,
            @RequestParam(name = "resource_id", required = false) String resourceId,
            @RequestParam(required = false) String action,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor) {
        AuditParams p = new AuditParams();
        String type = p.required("resource_type", resourceType);
        String id = p.required("resource_id", resourceId);
        int l = p.integer("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        p.throwIfInvalid(List.of("resource_type", "resource_id"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resource_type", type);
        body.put("resource_id", id);
        return page(body, AuditQuery.all().withResource(type, id).withAction(AuditParams.optional(action)), l, c);
    }

    /** The last {@code days} days (default 30, at most 365). */
    @GetMapping("/recent")
    Map<String, Object> recent(
            @RequestParam(required = false) String days,
            @RequestParam(required = false) String action,
            @RequestParam(name = "resource_type", required = false) String resourceType,
            @RequestParam(name = "resource_id", required = false) String resourceId,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor) {
        AuditParams p = new AuditParams();
        int d = p.integer("days", days, 1, 365, 30);
        int l = p.integer("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        p.throwIfInvalid(List.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("days", d);
        AuditQuery q = AuditQuery.all().withAction(AuditParams.optional(action))
                .withResource(AuditParams.optional(resourceType), AuditParams.optional(resourceId))
                .withTime(clock.millis() - d * 86_400_000L, null);
        return page(body, q, l, c);
    }

    /** One action's events, in the last {@code hours} hours when given ("all deletions in the last hour"). */
    @GetMapping("/by-action")
    Map<String, Object> byAction(
            @RequestParam(required = false) String action,
            @RequestParam(required = false) String hours,
            @RequestParam(name = "resource_type", required = false) String resourceType,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor) {
        AuditParams p = new AuditParams();
        String a = p.required("action", action);
        Integer h = p.integer("hours", hours, 1, 365 * 24, null);
        int l = p.integer("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        p.throwIfInvalid(List.of("action"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", a);
        body.put("hours", h);
        AuditQuery q = AuditQuery.all().withAction(a).withResource(AuditParams.optional(resourceType), null)
                .withTime(h == null ? null : clock.millis() - h * 3_600_000L, null);
        return page(body, q, l, c);
    }

    /** Events between two instants (ISO 8601; {@code start_time} inclusive, {@code end_time} exclusive). */
    @GetMapping("/time-range")
    Map<String, Object> timeRange(
            @RequestParam(name = "start_time", required = false) String startTime,
            @RequestParam(name = "end_time", required = false) String endTime,
            @RequestParam(required = false) String action,
            @RequestParam(name = "resource_type", required = false) String resourceType,
            @RequestParam(name = "resource_id", required = false) String resourceId,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor) {
        AuditParams p = new AuditParams();
        Long start = p.instant("start_time", p.required("start_time", startTime));
        Long end = p.instant("end_time", p.required("end_time", endTime));
        int l = p.integer("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        if (start != null && end != null && end < start) {
            p.problem("end_time must not be before start_time");
        }
        p.throwIfInvalid(List.of("start_time", "end_time"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("start_time", startTime.trim());
        body.put("end_time", endTime.trim());
        AuditQuery q = AuditQuery.all().withAction(AuditParams.optional(action))
                .withResource(AuditParams.optional(resourceType), AuditParams.optional(resourceId)).withTime(start, end);
        return page(body, q, l, c);
    }

    /**
     * Every deletion (of an engine, a database, a policy, a backup), newest first: each event holds the deleted record
     * as {@code before} and what went with it (databases, backups, records) in its details.
     */
    @GetMapping("/deletions")
    Map<String, Object> deletions(
            @RequestParam(name = "resource_type", required = false) String resourceType,
            @RequestParam(required = false) String hours,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor) {
        AuditParams p = new AuditParams();
        Integer h = p.integer("hours", hours, 1, 365 * 24, null);
        int l = p.integer("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        p.throwIfInvalid(List.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hours", h);
        AuditQuery q = AuditQuery.all().withActions(AuditQuery.DELETIONS)
                .withResource(AuditParams.optional(resourceType), null)
                .withTime(h == null ? null : clock.millis() - h * 3_600_000L, null);
        return page(body, q, l, c);
    }

    /** The request log: every API request, newest first, with its status, duration, actor and address. */
    @GetMapping("/requests")
    Map<String, Object> requests(
            @RequestParam(required = false) String method,
            @RequestParam(required = false) String path,
            @RequestParam(required = false) String status,
            @RequestParam(name = "user_id", required = false) String userId,
            @RequestParam(name = "ip_address", required = false) String ipAddress,
            @RequestParam(name = "request_id", required = false) String requestId,
            @RequestParam(name = "start_time", required = false) String startTime,
            @RequestParam(name = "end_time", required = false) String endTime,
            @RequestParam(name = "min_duration_ms", required = false) String minDuration,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor) {
        AuditParams p = new AuditParams();
        Integer s = p.integer("status", status, 100, 599, null);
        Long from = p.instant("start_time", startTime);
        Long until = p.instant("end_time", endTime);
        Long min = p.number("min_duration_ms", minDuration, 0, Long.MAX_VALUE);
        int l = p.integer("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        p.throwIfInvalid(List.of());
        String m = AuditParams.optional(method);
        return requests.body(new RequestLog.Query(m == null ? null : m.toUpperCase(Locale.ROOT),
                AuditParams.optional(path), s, AuditParams.optional(userId), AuditParams.optional(ipAddress),
                AuditParams.optional(requestId), from, until, min), l, c);
    }

    /** Checks the hash chain and the signed checkpoints, of everything or of a range, and names the first bad event. */
    @GetMapping("/verify")
    Map<String, Object> verify(
            @RequestParam(name = "from_sequence", required = false) String from,
            @RequestParam(name = "to_sequence", required = false) String to) {
        long[] range = sequences(from, to);
        long started = System.nanoTime();
        ChainVerifier.Result result = audit.verify(from == null || from.isBlank() ? null : range[0],
                to == null || to.isBlank() ? null : range[1]);
        if (!result.valid()) {
            audit.recordVerificationFailure(result);
        }
        Map<String, Object> body = result.view();
        body.put("public_key_id", audit.publicKey().keyId());
        body.put("duration_ms", (System.nanoTime() - started) / 1_000_000);
        return body;
    }

    /**
     * Archives the expired events now (as the schedule does every {@code custos.audit.archive-interval}): each segment
     * is stored, signed, in backup storage before its events are emptied in the catalog.
     */
    @PostMapping("/archive")
    Map<String, Object> archive() {
        return retention.archiveExpired().view();
    }

    /** The key that checks checkpoint signatures, for verifying an export away from this server. */
    @GetMapping("/public-key")
    Map<String, Object> publicKey() {
        PublicKeys.Key key = audit.publicKey();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("algorithm", "Ed25519");
        body.put("key_id", key.keyId());
        body.put("public_key_pem", key.pem());
        return body;
    }

    /** The signed checkpoints in a range of sequence numbers (default: all). */
    @GetMapping("/checkpoints")
    Map<String, Object> checkpoints(
            @RequestParam(name = "from_sequence", required = false) String from,
            @RequestParam(name = "to_sequence", required = false) String to) {
        long[] range = sequences(from, to);
        List<Map<String, Object>> list = audit.checkpoints(range[0], range[1]).stream().map(Checkpoint::view).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("checkpoints", list);
        body.put("count", list.size());
        return body;
    }

    @GetMapping("/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return audit.get(id).view();
    }

    /** {@code from_sequence} and {@code to_sequence}, checked; 1 and the largest number when not given. */
    private static long[] sequences(String from, String to) {
        AuditParams p = new AuditParams();
        Long f = p.number("from_sequence", from, 1, Long.MAX_VALUE);
        Long t = p.number("to_sequence", to, 1, Long.MAX_VALUE);
        p.throwIfInvalid(List.of());
        return new long[] {f == null ? 1 : f, t == null ? Long.MAX_VALUE : t};
    }

    private Map<String, Object> page(Map<String, Object> body, AuditQuery q, int limit, Long cursor) {
        AuditService.Page page = audit.list(q, limit, 0, cursor, AuditService.Count.NONE);
        body.put("count", page.events().size());
        body.put("events", views(page.events()));
        body.put("has_more", page.hasMore());
        body.put("next_cursor", page.nextCursor() == null ? null : String.valueOf(page.nextCursor()));
        return body;
    }

    private static List<Map<String, Object>> views(List<AuditRecord> events) {
        return events.stream().map(AuditRecord::view).toList();
    }
}

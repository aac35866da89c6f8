package dev.custos.security;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.custos.audit.AuditParams;

@RestController
@RequestMapping("/api/security-events")
class SecurityEventController {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final SecurityEvents events;
    private final Clock clock;

    SecurityEventController(SecurityEvents events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    @Operation(summary = "Security events (admin): failed sign-ins, unknown, expired or revoked keys and tokens,"
            + " refused requests and lockouts, newest first")
    @GetMapping
    Map<String, Object> list(
            @RequestParam(required = false) String type,
            @RequestParam(required = false) String principal,
            @RequestParam(name = "ip_address", required = false) String ipAddress,
            @RequestParam(name = "key_id", required = false) String keyId,
            @RequestParam(name = "start_time", required = false) String startTime,
            @RequestParam(name = "end_time", required = false) String endTime,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor) {
        AuditParams p = new AuditParams();
        String t = p.oneOf("type", type, SecurityEvents.TYPES);
        Long from = p.instant("start_time", startTime);
        Long until = p.instant("end_time", endTime);
        int l = p.integer("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        Long c = p.number("cursor", cursor, 1, Long.MAX_VALUE);
        p.throwIfInvalid(List.of());
        List<SecurityEvents.Event> rows = events.page(new SecurityEvents.Query(t, AuditParams.optional(principal),
                AuditParams.optional(ipAddress), AuditParams.optional(keyId), from, until), l + 1, c);
        boolean more = rows.size() > l;
        List<SecurityEvents.Event> shown = more ? rows.subList(0, l) : rows;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", shown.size());
        body.put("events", shown);
        body.put("has_more", more);
        body.put("next_cursor", more ? String.valueOf(shown.get(shown.size() - 1).seq()) : null);
        return body;
    }

    @Operation(summary = "How many security events of each type the last 24 hours saw (admin)")
    @GetMapping("/summary")
    Map<String, Object> summary() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("since_hours", 24);
        body.put("counts", events.countsSince(clock.millis() - Duration.ofHours(24).toMillis()));
        return body;
    }
}

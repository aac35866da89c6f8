package dev.custos.security;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

import dev.custos.api.ApiException;
import dev.custos.api.Narrowing;
import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;

/**
 * Per-database and per-engine grants: an operator or viewer with grants is narrowed to the granted databases and
 * every database of the granted engines ({@link Narrowing}); one without grants sees every database, and admins are
 * never narrowed. Set as a whole with {@code PUT /api/users/{id}/grants}, audited as {@code user_updated}. API keys
 * carry their owner's grants.
 */
@Service
public class Grants {

    static final List<String> TYPES = List.of("database", "engine");
    private static final int MAX = 1000;

    /** One grant, as the API shows it and takes it. */
    public record Grant(String resourceType, String resourceId) {
    }

    private final JdbcClient jdbc;
    private final UserRepository users;
    private final AuditLog audit;
    private final Clock clock;

    Grants(JdbcClient jdbc, UserRepository users, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.users = users;
        this.audit = audit;
        this.clock = clock;
    }

    List<Grant> of(String userId) {
        return jdbc.sql("SELECT resource_type, resource_id FROM user_grants WHERE user_id = ?"
                        + " ORDER BY resource_type, resource_id")
                .param(userId).query((rs, n) -> new Grant(rs.getString(1), rs.getString(2))).list();
    }

    /**
     * What {@code signedIn} is narrowed to, or null when it sees every database: an admin, a caller without a user
     * row (a token), or a user without grants.
     */
    Narrowing narrowing(SignedIn signedIn) {
        if (signedIn.user() == null || signedIn.role() == Role.ADMIN) {
            return null;
        }
        List<Grant> grants = of(signedIn.user().id());
        if (grants.isEmpty()) {
            return null;
        }
        Set<String> databases = new HashSet<>();
        Set<String> engines = new HashSet<>();
        for (Grant g : grants) {
            (g.resourceType().equals("engine") ? engines : databases).add(g.resourceId());
        }
        Set<String> visibleEngines = new HashSet<>(engines);
        // One query: the databases of the granted engines, and the engines of the granted databases.
        jdbc.sql("SELECT id, engine_id FROM databases WHERE " + in("engine_id", "e", engines) + " OR "
                        + in("id", "d", databases))
                .params(params(engines, databases)).query(rs -> {
                    String engine = rs.getString("engine_id");
                    if (engine != null && engines.contains(engine)) {
                        databases.add(rs.getString("id"));
                    }
                    if (engine != null) {
                        visibleEngines.add(engine);
                    }
                });
        return new Narrowing(Set.copyOf(databases), Set.copyOf(engines), Set.copyOf(visibleEngines));
    }

    /** Replaces the user's grants with {@code body.grants}; an empty list removes the narrowing. */
    @Transactional
    public List<Grant> replace(String userId, JsonNode body) {
        User user = users.findById(userId).orElseThrow(() -> ApiException.notFound("User '" + userId + "' not found"));
        List<Grant> wanted = parse(body);
        if (user.role().equals("admin") && !wanted.isEmpty()) {
            throw ApiException.badRequest("grants: admins see every database and cannot be narrowed; make '"
                    + user.username() + "' an operator or viewer first");
        }
        List<String> missing = new ArrayList<>();
        for (Grant g : wanted) {
            String table = g.resourceType().equals("engine") ? "engines" : "databases";
            boolean exists = jdbc.sql("SELECT count(*) FROM " + table + " WHERE id = ?").param(g.resourceId())
                    .query(Long.class).single() > 0;
            if (!exists) {
                missing.add(g.resourceType() + " '" + g.resourceId() + "'");
            }
        }
        if (!missing.isEmpty()) {
            throw ApiException.badRequest("grants: no such " + String.join(", ", missing));
        }
        List<Grant> before = of(userId);
        jdbc.sql("DELETE FROM user_grants WHERE user_id = ?").param(userId).update();
        long now = clock.millis();
        String by = AuditLog.currentActor();
        for (Grant g : wanted) {
            jdbc.sql("""
                    INSERT INTO user_grants (user_id, resource_type, resource_id, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?)
                    """).params(userId, g.resourceType(), g.resourceId(), now, by).update();
        }
        List<Grant> after = of(userId);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("updated_fields", List.of("grants"));
        details.put("role", user.role());
        details.put("grants", after);
        audit.success(AuditEvent.of("user_updated", "user", userId, user.username(), details)
                .withBefore(Map.of("grants", before)).withAfter(Map.of("grants", after)));
        return after;
    }

    /** Grants are removed with their user. */
    void removeAllOf(String userId) {
        jdbc.sql("DELETE FROM user_grants WHERE user_id = ?").param(userId).update();
    }

    private static List<Grant> parse(JsonNode body) {
        JsonNode list = body == null ? null : body.get("grants");
        if (list == null || !list.isArray()) {
            throw ApiException.badRequest("grants is required: a list of {\"resource_type\": \"database\" or"
                    + " \"engine\", \"resource_id\": \"...\"} (an empty list removes every grant)");
        }
        if (list.size() > MAX) {
            throw ApiException.badRequest("grants may hold at most " + MAX + " entries (got " + list.size() + ")");
        }
        Set<Grant> grants = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (JsonNode item : list) {
            JsonNode type = item.get("resource_type");
            JsonNode id = item.get("resource_id");
            if (type == null || !type.isString() || !TYPES.contains(type.stringValue())) {
                problems.add("grants[" + i + "].resource_type must be database or engine");
            } else if (id == null || !id.isString() || id.stringValue().isBlank() || id.stringValue().length() > 200
                    || id.stringValue().indexOf('\0') >= 0) {
                problems.add("grants[" + i + "].resource_id must be the id of a " + type.stringValue());
            } else {
                grants.add(new Grant(type.stringValue(), id.stringValue().trim()));
            }
            i++;
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest(String.join("; ", problems));
        }
        return List.copyOf(grants);
    }

    private static String in(String column, String name, Set<String> values) {
        if (values.isEmpty()) {
            return "1 = 0";
        }
        List<String> marks = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            marks.add(":" + name + i);
        }
        return column + " IN (" + String.join(", ", marks) + ")";
    }

    private static Map<String, Object> params(Set<String> engines, Set<String> databases) {
        Map<String, Object> p = new LinkedHashMap<>();
        int i = 0;
        for (String e : engines) {
            p.put("e" + i++, e);
        }
        i = 0;
        for (String d : databases) {
            p.put("d" + i++, d);
        }
        return p;
    }
}

package dev.custos.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An event ready to be appended: everything but its sequence, time and hash. JSON values are already redacted and in
 * canonical form, so what is stored is exactly what is hashed.
 */
record AuditDraft(
        String id,
        String action,
        String resourceType,
        String resourceId,
        String resourceName,
        String userId,
        String userEmail,
        String actorType,
        String status,
        Classification classification,
        String engineId,
        String databaseType,
        String detailsJson,
        String beforeJson,
        String afterJson,
        String changesJson,
        String errorMessage,
        String ipAddress,
        String userAgent,
        String requestId,
        String method,
        String path) {

    /** Fields of a resource's view that change on every write and say nothing about what changed. */
    private static final Set<String> UNCOMPARED = Set.of("updated_at", "created_at");

    AuditRecord toRecord(long sequence, long occurredAt, String hash) {
        Classification c = classification;
        return new AuditRecord(id, sequence, occurredAt, action, resourceType, resourceId, resourceName, userId, userEmail,
                actorType, status, c.category(), c.severity(), c.sensitiveDataAccessed(), c.gdpr(), c.sox(), c.hipaa(),
                engineId, databaseType, Canonical.parse(detailsJson), Canonical.parse(beforeJson),
                Canonical.parse(afterJson), Canonical.parse(changesJson), errorMessage, ipAddress, userAgent, requestId,
                method, path, hash, null);
    }

    /** An event stored before the chain existed, classified as a new one would be. */
    static AuditDraft reclassify(AuditRecord old, Classification.Rules rules) {
        Object details = old.details();
        String beforeJson = json(old.before());
        String afterJson = json(old.after());
        return new AuditDraft(old.id(), old.action(), old.resourceType(), old.resourceId(), old.resourceName(),
                old.userId(), old.userEmail(), actorType(old.userId(), old.requestId()), old.status(),
                rules.classify(old.action(), old.resourceType(), old.status()),
                engineId(details, old.resourceType(), old.resourceId()), databaseType(details), json(details), beforeJson,
                afterJson, json(changes(old.before(), old.after())), old.errorMessage(), old.ipAddress(), old.userAgent(),
                old.requestId(), old.method(), old.path());
    }

    static String actorType(String userId, String requestId) {
        if ("system".equals(userId)) {
            return "system";
        }
        return requestId == null && "anonymous".equals(userId) ? "system" : "anonymous";
    }

    static String json(Object tree) {
        return tree == null ? null : Canonical.json(tree);
    }

    /** The engine an event concerns: named in its details, or the engine itself. */
    static String engineId(Object details, String resourceType, String resourceId) {
        String id = text(details, "engine_id");
        if (id == null) {
            id = text(details, "target_engine_id");
        }
        return id == null && "engine".equals(resourceType) ? resourceId : id;
    }

    /** The kind of database an event concerns ({@code postgresql}, {@code mysql}, {@code sqlite} …). */
    static String databaseType(Object details) {
        String type = text(details, "database_type");
        return type == null ? text(details, "engine_type") : type;
    }

    /**
     * The field-level diff of two views of a resource: {@code {"field": {"from": …, "to": …}}}, nested objects
     * compared field by field with dotted names ({@code daily.keep_count}). Null unless both views are objects.
     */
    static Map<String, Object> changes(Object before, Object after) {
        if (!(before instanceof Map<?, ?> from) || !(after instanceof Map<?, ?> to)) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        diff("", from, to, out);
        return out;
    }

    private static void diff(String prefix, Map<?, ?> from, Map<?, ?> to, Map<String, Object> out) {
        Set<String> keys = new TreeSet<>();
        from.keySet().forEach(k -> keys.add(String.valueOf(k)));
        to.keySet().forEach(k -> keys.add(String.valueOf(k)));
        for (String key : keys) {
            if (prefix.isEmpty() && UNCOMPARED.contains(key)) {
                continue;
            }
            Object a = from.get(key);
            Object b = to.get(key);
            if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
                diff(prefix + key + ".", ma, mb, out);
            } else if (!Objects.equals(a, b)) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("from", a);
                change.put("to", b);
                out.put(prefix + key, change);
            }
        }
    }

    private static String text(Object details, String field) {
        if (details instanceof Map<?, ?> map && map.get(field) instanceof String s && !s.isBlank()) {
            return s;
        }
        return null;
    }
}

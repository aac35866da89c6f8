package dev.custos.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * The databases an operator or viewer may see when an admin narrowed them with grants: the granted databases, and
 * every database of a granted engine. Authentication puts it on the request; without one (admins, callers without
 * grants, authentication off, and work outside a request: workers, schedules) nothing is narrowed. Each feature
 * applies it where it lists or finds a database's things, so that a database outside the grants is not found at all
 * (404), as if it did not exist.
 *
 * @param databaseIds      the databases the caller sees: the granted ones and those of the granted engines
 * @param engineIds        the granted engines: each of their databases is visible
 * @param visibleEngineIds the engines the caller sees: the granted ones and those of the granted databases
 */
public record Narrowing(Set<String> databaseIds, Set<String> engineIds, Set<String> visibleEngineIds) {

    /** The request attribute authentication sets. */
    public static final String ATTRIBUTE = Narrowing.class.getName();

    /** The current request's narrowing, or null when its caller sees every database. */
    public static Narrowing current() {
        RequestAttributes a = RequestContextHolder.getRequestAttributes();
        return a == null ? null : (Narrowing) a.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
    }

    /** True when the current caller may see the database {@code databaseId} of the engine {@code engineId}. */
    public static boolean visible(String databaseId, String engineId) {
        Narrowing n = current();
        return n == null || n.allows(databaseId, engineId);
    }

    /** Throws {@code notFound} unless the current caller may see the database {@code databaseId} of {@code engineId}. */
    public static void require(String databaseId, String engineId, Function<String, ApiException> notFound) {
        if (!visible(databaseId, engineId)) {
            throw notFound.apply(databaseId);
        }
    }

    /** True when the current caller may see the engine {@code engineId} itself. */
    public static boolean engineVisible(String engineId) {
        Narrowing n = current();
        return n == null || n.visibleEngineIds.contains(engineId);
    }

    /** A condition keeping the engines (by {@code engineColumn}) the current caller sees; null when not narrowed. */
    public static Map.Entry<String, Map<String, Object>> engineFilter(String engineColumn) {
        Narrowing n = current();
        if (n == null) {
            return null;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        return Map.entry(in(engineColumn, "visibleEngine", List.copyOf(n.visibleEngineIds), params), params);
    }

    public boolean allows(String databaseId, String engineId) {
        return (databaseId != null && databaseIds.contains(databaseId))
                || (engineId != null && engineIds.contains(engineId));
    }

    /**
     * A SQL condition (with its parameters put in {@code params}) that keeps the rows whose {@code databaseColumn}
     * is a granted database or whose {@code engineColumn} (null: none) is a granted engine; null when the current
     * caller is not narrowed. Column names are constants of the caller's query, never input.
     */
    public static String condition(String databaseColumn, String engineColumn, Map<String, Object> params) {
        Narrowing n = current();
        if (n == null) {
            return null;
        }
        StringBuilder sql = new StringBuilder("(").append(in(databaseColumn, "grantedDb", List.copyOf(n.databaseIds),
                params));
        if (engineColumn != null) {
            sql.append(" OR ").append(in(engineColumn, "grantedEngine", List.copyOf(n.engineIds), params));
        }
        return sql.append(")").toString();
    }

    /** {@link #condition} with fresh parameters, for {@code Filters.add(condition, params)}. */
    public static Map.Entry<String, Map<String, Object>> filter(String databaseColumn, String engineColumn) {
        Map<String, Object> params = new LinkedHashMap<>();
        String sql = condition(databaseColumn, engineColumn, params);
        return sql == null ? null : Map.entry(sql, params);
    }

    /** A condition keeping the rows any of whose {@code databaseColumns} is a database the current caller sees. */
    public static Map.Entry<String, Map<String, Object>> databaseFilter(String... databaseColumns) {
        Narrowing n = current();
        if (n == null) {
            return null;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        List<String> ids = List.copyOf(n.databaseIds);
        List<String> parts = new java.util.ArrayList<>();
        for (String column : databaseColumns) {
            // Every column compares with the same parameters.
            parts.add(in(column, "grantedDb", ids, params));
        }
        return Map.entry("(" + String.join(" OR ", parts) + ")", params);
    }

    private static String in(String column, String name, List<String> values, Map<String, Object> params) {
        if (values.isEmpty()) {
            return "1 = 0";
        }
        StringBuilder sql = new StringBuilder(column).append(" IN (");
        for (int i = 0; i < values.size(); i++) {
            params.put(name + i, values.get(i));
            sql.append(i == 0 ? ":" : ", :").append(name).append(i);
        }
        return sql.append(")").toString();
    }
}

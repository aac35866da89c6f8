package dev.custos.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the WHERE clause of a list query from the filters a request gave, binding each value as a named
 * parameter. Only given filters become conditions, so the database plans each query with its real shape
 * (and PostgreSQL never has to guess the type of a null parameter).
 */
public final class Filters {

    private final List<String> conditions = new ArrayList<>();
    private final Map<String, Object> params = new LinkedHashMap<>();

    /** Adds {@code condition} (which refers to {@code :name}) when {@code value} is not null. */
    public Filters add(String condition, String name, Object value) {
        if (value != null) {
            conditions.add(condition);
            params.put(name, value);
        }
        return this;
    }

    /** {@code column IN (…)} over {@code values} when they are given (a constant column name, never input). */
    public Filters in(String column, String name, List<?> values) {
        if (values != null) {
            List<String> placeholders = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                placeholders.add(":" + name + i);
                params.put(name + i, values.get(i));
            }
            conditions.add(values.isEmpty() ? "1 = 0" : column + " IN (" + String.join(", ", placeholders) + ")");
        }
        return this;
    }

    /** Adds a condition over several parameters, such as a row-value comparison. */
    public Filters add(String condition, Map<String, Object> values) {
        conditions.add(condition);
        params.putAll(values);
        return this;
    }

    /** Adds {@code condition} (its SQL and its parameters) when it is not null. */
    public Filters and(Map.Entry<String, Map<String, Object>> condition) {
        return condition == null ? this : add(condition.getKey(), condition.getValue());
    }

    /** Adds a condition without parameters, such as {@code flag = TRUE}. */
    public Filters condition(String condition) {
        conditions.add(condition);
        return this;
    }

    /**
     * A case-insensitive substring match over columns that hold lower-case text (such as a generated search
     * column), with LIKE wildcards in the text escaped.
     */
    public Filters contains(List<String> columns, String name, String text) {
        if (text == null || text.isBlank()) {
            return this;
        }
        String pattern = "%" + text.trim().toLowerCase(java.util.Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        List<String> ors = new ArrayList<>();
        for (String column : columns) {
            ors.add(column + " LIKE :" + name + " ESCAPE '\\'");
        }
        conditions.add("(" + String.join(" OR ", ors) + ")");
        params.put(name, pattern);
        return this;
    }

    /** A copy to add more conditions to, leaving this one as it is. */
    public Filters copy() {
        Filters c = new Filters();
        c.conditions.addAll(conditions);
        c.params.putAll(params);
        return c;
    }

    public String where() {
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    public Map<String, Object> params() {
        return params;
    }
}

package dev.custos.audit;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The field-level diff of two views of a record, for the audit trail: {@code {field: {from, to}}}. */
public final class Changes {

    private static final Set<String> IGNORED = Set.of("updatedAt", "createdAt");

    private Changes() {
    }

    public static Map<String, Object> between(Record before, Record after) {
        Map<String, Object> changes = new LinkedHashMap<>();
        for (RecordComponent c : before.getClass().getRecordComponents()) {
            if (IGNORED.contains(c.getName())) {
                continue;
            }
            Object from = value(c, before);
            Object to = value(c, after);
            if (!Objects.equals(from, to)) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("from", from);
                change.put("to", to);
                changes.put(snake(c.getName()), change);
            }
        }
        return changes;
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}

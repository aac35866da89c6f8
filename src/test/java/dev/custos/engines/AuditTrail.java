package dev.custos.engines;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the catalog's audit_events table as a test sees it: one resource's events of one action. */
public final class AuditTrail {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient catalog;

    public AuditTrail(JdbcClient catalog) {
        this.catalog = catalog;
    }

    /** One stored event; {@code columns} holds every column as stored, to look for leaked secrets. */
    public record Event(String action, String resourceType, String status, JsonNode details, JsonNode before,
            JsonNode after, Map<String, Object> columns) {

        /** Every column of the row, concatenated: what a reader of the catalog could see. */
        public String allText() {
            return columns.values().stream().map(String::valueOf).reduce("", (a, b) -> a + "\n" + b);
        }
    }

    public List<Event> events(String resourceId, String action) {
        return catalog.sql("SELECT * FROM audit_events WHERE resource_id = ? AND action = ?")
                .params(resourceId, action).query().listOfRows().stream().map(AuditTrail::event).toList();
    }

    /** Every event about a resource, whatever the action. */
    public List<Event> events(String resourceId) {
        return catalog.sql("SELECT * FROM audit_events WHERE resource_id = ?")
                .param(resourceId).query().listOfRows().stream().map(AuditTrail::event).toList();
    }

    private static Event event(Map<String, Object> row) {
        return new Event((String) row.get("action"), (String) row.get("resource_type"), (String) row.get("status"),
                json(row.get("details")), json(row.get("before_value")), json(row.get("after_value")), row);
    }

    private static JsonNode json(Object column) {
        return column == null ? JSON.missingNode() : JSON.readTree(Objects.toString(column));
    }
}

package dev.custos.schedules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.databases.DatabaseService;
import dev.custos.policies.Policy;
import dev.custos.policies.PolicyService;

/** Schedules, retention previews and the cleanup history. */
@RestController
@RequestMapping("/api")
class ScheduleController {

    private static final int MAX_HISTORY = 1000;

    private final ScheduleOverview overview;
    private final Retention retention;
    private final PolicyService policies;
    private final DatabaseService databases;

    ScheduleController(ScheduleOverview overview, Retention retention, PolicyService policies,
            DatabaseService databases) {
        this.overview = overview;
        this.retention = retention;
        this.policies = policies;
        this.databases = databases;
    }

    @Operation(summary = "Next and last scheduled run of each database and tier, and which databases are overdue")
    @GetMapping("/schedules")
    Map<String, Object> schedules(@RequestParam(name = "database_id", required = false) String databaseId) {
        if (databaseId != null) {
            databases.get(databaseId);
        }
        List<ScheduleOverview.View> views = overview.list(databaseId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schedules", views);
        body.put("count", views.size());
        body.put("overdue_count", views.stream().filter(ScheduleOverview.View::overdue).count());
        body.put("scheduling_enabled", overview.schedulingEnabled());
        return body;
    }

    /**
     * What retention would keep (and under which tier) and delete (and why), under the database's policy or a
     * proposed one: {@code policy_id} in the query or body picks another policy, policy fields in the body
     * ({@code timezone}, {@code daily: {keep_count: 3}} …) change it. Nothing is saved or deleted.
     */
    @Operation(summary = "Preview retention: what would be kept under which tier, and what deleted and why")
    @RequestMapping(path = "/databases/{id}/retention-preview", method = { RequestMethod.GET, RequestMethod.POST })
    Map<String, Object> preview(@PathVariable String id,
            @RequestParam(name = "policy_id", required = false) String policyId,
            @RequestBody(required = false) JsonNode node) {
        String current = databases.get(id).policyId();
        Policy proposed = null;
        boolean hasBody = node != null && !node.isNull() && !(node.isObject() && node.isEmpty());
        if (policyId != null || hasBody) {
            if (node != null && !node.isNull() && !node.isObject()) {
                throw ApiException.badRequest("The body must be a JSON object of policy fields");
            }
            ObjectNode fields = node == null || node.isNull() ? JsonNodeFactory.instance.objectNode() : ((ObjectNode) node).deepCopy();
            if (policyId != null) {
                JsonNode inBody = fields.get("policy_id");
                if (inBody != null && !(inBody.isString() && policyId.equals(inBody.stringValue()))) {
                    throw ApiException.badRequest("policy_id is given twice, differently, in the query and the body");
                }
                fields.put("policy_id", policyId);
            }
            proposed = policies.proposed(current, JsonBody.of(fields));
        }
        Retention.Plan plan = retention.preview(id, proposed);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("database_id", id);
        body.put("policy_id", plan.policy().id());
        body.put("proposed", proposed != null);
        body.put("policy", plan.policy());
        body.put("default_retention_days", plan.defaultRetentionDays());
        body.put("evaluated_at", plan.at());
        body.put("keep_count", plan.keep().size());
        body.put("delete_count", plan.delete().size());
        body.put("keep", plan.keep());
        body.put("delete", plan.delete());
        return body;
    }

    @Operation(summary = "Backups retention deleted: when, why, under which policy")
    @GetMapping("/cleanup-history")
    Map<String, Object> history(@RequestParam(name = "database_id", required = false) String databaseId,
            @RequestParam(required = false) Integer limit) {
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > MAX_HISTORY) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_HISTORY + " (got " + n + ")");
        }
        List<CleanupHistory.Entry> entries = retention.history(databaseId, n);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cleanups", entries);
        body.put("count", entries.size());
        return body;
    }

    @Operation(summary = "Apply a database's retention now (what the sweep and each completed backup do)")
    @PostMapping("/databases/{id}/retention/apply")
    Map<String, Object> apply(@PathVariable String id) {
        databases.get(id);
        int deleted = retention.prune(id, "manual");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "Retention applied: " + deleted + " backup(s) pruned");
        body.put("database_id", id);
        body.put("deleted_count", deleted);
        return body;
    }
}

package dev.custos.databases;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import dev.custos.api.JsonBody;
import dev.custos.api.Paging;
import dev.custos.connectors.ConnectionCheck;

@RestController
@RequestMapping("/api/databases")
class DatabaseController {

    private final DatabaseService databases;

    DatabaseController(DatabaseService databases) {
        this.databases = databases;
    }

    @GetMapping
    Map<String, Object> list(
            @RequestParam(name = "enabled_only", required = false) Boolean enabledOnly,
            @RequestParam(required = false) String type,
            @RequestParam(required = false) String search,
            @RequestParam(required = false) String host,
            @RequestParam(name = "policy_id", required = false) String policyId,
            @RequestParam(name = "engine_id", required = false) String engineId,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) Integer offset,
            @RequestParam(required = false) String cursor) {
        Paging paging = Paging.of(limit, offset, 25, 1000);
        DatabaseService.Page page = databases.list(
                new DatabaseService.Query(enabledOnly, type, search, host, policyId, engineId), paging, cursor);
        List<DatabaseConfig> items = page.databases();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("databases", items);
        body.put("count", items.size());
        body.put("total", page.total());
        body.put("has_more", page.more());
        body.put("next_cursor", page.nextCursor());
        return body;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(@RequestBody(required = false) JsonNode body) {
        return Map.of("message", "Database configuration created", "database", databases.create(JsonBody.of(body)));
    }

    @PostMapping("/test-connection")
    ConnectionCheck testConnection(@RequestBody(required = false) JsonNode body) {
        return databases.testConnection(JsonBody.of(body));
    }

    @GetMapping("/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return Map.of("database", databases.get(id));
    }

    @PutMapping("/{id}")
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        return Map.of("message", "Database configuration updated", "database", databases.update(id, JsonBody.of(body)));
    }

    @DeleteMapping("/{id}")
    Map<String, Object> delete(@PathVariable String id,
            @RequestParam(name = "delete_backups", defaultValue = "false") boolean deleteBackups) {
        return databases.delete(id, deleteBackups);
    }
}

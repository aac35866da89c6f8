package dev.custos.engines;

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
@RequestMapping("/api/engines")
class EngineController {

    private final EngineService engines;

    EngineController(EngineService engines) {
        this.engines = engines;
    }

    @GetMapping
    Map<String, Object> list(@RequestParam(required = false) String type, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) Integer offset) {
        Paging paging = Paging.of(limit, offset, 100, 1000);
        EngineService.Page page = engines.list(type, paging);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items());
        body.put("total", page.total());
        body.put("has_more", paging.hasMore(page.items().size(), page.total()));
        return body;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(@RequestBody(required = false) JsonNode body) {
        EngineService.Created created = engines.create(JsonBody.of(body));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine", created.engine());
        out.put("discovered_databases", created.discoveredDatabases());
        if (created.discoveryError() != null) {
            out.put("discovery_error", created.discoveryError());
        }
        return out;
    }

    @GetMapping("/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return Map.of("engine", engines.get(id));
    }

    @PutMapping("/{id}")
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        EngineService.Updated updated = engines.update(id, JsonBody.of(body));
        return Map.of("engine", updated.engine(), "databases_updated", updated.databasesUpdated());
    }

    @DeleteMapping("/{id}")
    Map<String, Object> delete(@PathVariable String id,
            @RequestParam(name = "delete_databases", defaultValue = "false") boolean deleteDatabases,
            @RequestParam(name = "delete_backups", defaultValue = "false") boolean deleteBackups) {
        return engines.delete(id, deleteDatabases, deleteBackups);
    }

    @PostMapping("/{id}/test")
    ConnectionCheck test(@PathVariable String id) {
        return engines.test(id);
    }

    @PostMapping("/{id}/discover")
    Map<String, Object> discover(@PathVariable String id, @RequestParam(name = "import", defaultValue = "false") boolean doImport,
            @RequestBody(required = false) JsonNode body) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine_id", id);
        if (!doImport) {
            EngineService.Discovery d = engines.discover(id);
            out.put("databases", d.databases());
            out.put("existing", d.existing());
            out.put("available", d.available());
            return out;
        }
        JsonBody request = JsonBody.of(body);
        List<String> names = request.stringList("import_databases").orElse(null);
        String policyId = request.nonBlankString("policy_id", 200).orElse(null);
        request.throwIfInvalid();
        EngineService.Imported imported = engines.importDatabases(id, names, policyId);
        out.put("imported", imported.imported());
        out.put("skipped", imported.skipped());
        return out;
    }
}

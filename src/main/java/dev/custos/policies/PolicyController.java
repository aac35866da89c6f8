package dev.custos.policies;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
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

@RestController
@RequestMapping("/api/backup-policies")
class PolicyController {

    private final PolicyService policies;

    PolicyController(PolicyService policies) {
        this.policies = policies;
    }

    @Operation(summary = "List backup policies, system policies first")
    @GetMapping
    Map<String, Object> list() {
        List<Policy> all = policies.list();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("policies", all);
        body.put("count", all.size());
        return body;
    }

    @Operation(summary = "Create a backup policy")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(@RequestBody(required = false) JsonNode body) {
        Policy p = policies.create(JsonBody.of(body));
        return Map.of("message", "Backup policy created", "policy", p);
    }

    @Operation(summary = "Get a backup policy")
    @GetMapping("/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return Map.of("policy", policies.get(id));
    }

    @Operation(summary = "Update a backup policy; tiers not given, and fields of a tier not given, stay")
    @PutMapping("/{id}")
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        Policy p = policies.update(id, JsonBody.of(body));
        return Map.of("message", "Backup policy updated", "policy", p);
    }

    @Operation(summary = "Delete a backup policy; refused for a system policy, and for one in use unless move_to"
            + " names the policy its databases move to")
    @DeleteMapping("/{id}")
    Map<String, Object> delete(@PathVariable String id, @RequestParam(name = "move_to", required = false) String moveTo) {
        return policies.delete(id, moveTo);
    }
}

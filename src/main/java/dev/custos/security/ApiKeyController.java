package dev.custos.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import dev.custos.api.JsonBody;
import dev.custos.audit.RequestLog;

@RestController
@RequestMapping("/api/api-keys")
class ApiKeyController {

    private static final String SHOWN_ONCE = "Store this key now: Custos keeps only its hash and cannot show it again";

    private final ApiKeyService keys;
    private final RequestLog requests;

    ApiKeyController(ApiKeyService keys, RequestLog requests) {
        this.keys = keys;
        this.requests = requests;
    }

    @Operation(summary = "List API keys: your own, or every key for an admin")
    @GetMapping
    Map<String, Object> list() {
        List<ApiKey> all = keys.list(SignedIn.current());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("api_keys", all);
        body.put("count", all.size());
        return body;
    }

    @Operation(summary = "Create an API key with a name, scopes (read, backup, restore, admin) and an expiry;"
            + " the response holds the secret, shown only this once")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(@RequestBody(required = false) JsonNode body) {
        return created("API key created", keys.create(JsonBody.of(body), SignedIn.current()));
    }

    @Operation(summary = "Get an API key (never its secret)")
    @GetMapping("/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return Map.of("api_key", keys.get(id, SignedIn.current()));
    }

    @Operation(summary = "Rotate an API key: a new secret with the same name and scopes; the old key is revoked at"
            + " once or, with grace_minutes, expires then")
    @PostMapping("/{id}/rotate")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> rotate(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        return created("API key rotated", keys.rotate(id, JsonBody.of(body), SignedIn.current()));
    }

    @Operation(summary = "Revoke an API key: the next request that presents it is refused. The key stays listed,"
            + " revoked, for the audit trail")
    @DeleteMapping("/{id}")
    Map<String, Object> revoke(@PathVariable String id) {
        ApiKey k = keys.revoke(id, SignedIn.current());
        return Map.of("message", "API key '" + k.name() + "' revoked", "api_key", k);
    }

    @Operation(summary = "The key's usage log: each request it made (method, path, status, time, address), newest"
            + " first")
    @GetMapping("/{id}/usage")
    Map<String, Object> usage(@PathVariable String id, @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor) {
        ApiKey k = keys.get(id, SignedIn.current());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("api_key_id", k.id());
        body.put("last_used_at", k.lastUsedAt());
        body.putAll(requests.byActor(k.id(), limit, cursor));
        return body;
    }

    private static Map<String, Object> created(String message, ApiKeyService.Created c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        body.put("key", c.secret());
        body.put("warning", SHOWN_ONCE);
        body.put("api_key", c.key());
        return body;
    }
}

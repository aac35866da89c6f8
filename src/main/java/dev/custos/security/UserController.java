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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import dev.custos.api.JsonBody;

@RestController
@RequestMapping("/api/users")
class UserController {

    private final UserService users;
    private final SecurityProperties security;
    private final Grants grants;

    UserController(UserService users, SecurityProperties security, Grants grants) {
        this.users = users;
        this.security = security;
        this.grants = grants;
    }

    @Operation(summary = "List users (admin)")
    @GetMapping
    Map<String, Object> list() {
        List<User> all = users.list();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("users", all);
        body.put("count", all.size());
        return body;
    }

    @Operation(summary = "Create a user with a username, password (12 characters or more) and role (admin)")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(@RequestBody(required = false) JsonNode body) {
        return Map.of("message", "User created", "user", users.create(JsonBody.of(body)));
    }

    @Operation(summary = "Who am I: the signed-in user, their role and what it allows")
    @GetMapping("/me")
    Map<String, Object> me() {
        Map<String, Object> body = new LinkedHashMap<>();
        SignedIn signedIn = signedIn();
        body.put("auth", security.auth());
        if (signedIn == null) {
            // Authentication off: everyone is anonymous with every right.
            body.put("user", null);
            body.put("user_id", "anonymous");
            body.put("role", "admin");
        } else {
            body.put("user", signedIn.user());
            body.put("user_id", signedIn.user() != null ? signedIn.user().id() : signedIn.actorId());
            // An OIDC token has no user row: its identity is what the token names.
            body.put("username", signedIn.username());
            body.put("email", signedIn.email());
            body.put("role", signedIn.roleName());
            body.put("signed_in_with", signedIn.kind());
            if (signedIn.scopes() != null) {
                body.put("scopes", new java.util.TreeSet<>(signedIn.scopes()));
            }
        }
        body.put("permissions", Permissions.of((String) body.get("role"), signedIn == null ? null : signedIn.scopes()));
        body.put("grants", signedIn == null || signedIn.user() == null || "admin".equals(body.get("role")) ? List.of()
                : grants.of(signedIn.user().id()));
        return body;
    }

    @Operation(summary = "Get a user (admin)")
    @GetMapping("/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return Map.of("user", users.get(id));
    }

    @Operation(summary = "Update a user's name, email, role, password or disabled flag (admin)")
    @PutMapping("/{id}")
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        return Map.of("message", "User updated", "user", users.update(id, JsonBody.of(body), actingUserId()));
    }

    @Operation(summary = "A user's grants (admin): the databases and engines an operator or viewer is narrowed to")
    @GetMapping("/{id}/grants")
    Map<String, Object> grants(@PathVariable String id) {
        users.get(id);
        List<Grants.Grant> list = grants.of(id);
        return Map.of("user_id", id, "grants", list, "count", list.size());
    }

    @Operation(summary = "Replace a user's grants (admin): {\"grants\": [{\"resource_type\": \"database\" or"
            + " \"engine\", \"resource_id\": ...}]}; an empty list lets them see every database again")
    @PutMapping("/{id}/grants")
    Map<String, Object> replaceGrants(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        List<Grants.Grant> list = grants.replace(id, body);
        return Map.of("message", "Grants updated", "user_id", id, "grants", list, "count", list.size());
    }

    @Operation(summary = "Delete a user (admin); never the last enabled admin, nor yourself")
    @DeleteMapping("/{id}")
    Map<String, Object> delete(@PathVariable String id) {
        return users.delete(id, actingUserId());
    }

    private static SignedIn signedIn() {
        return SignedIn.current();
    }

    private static String actingUserId() {
        SignedIn s = signedIn();
        return s == null || s.user() == null ? null : s.user().id();
    }
}

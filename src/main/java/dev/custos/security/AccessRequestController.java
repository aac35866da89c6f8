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

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;

@RestController
@RequestMapping("/api")
class AccessRequestController {

    private final AccessRequestService requests;

    AccessRequestController(AccessRequestService requests) {
        this.requests = requests;
    }

    @Operation(summary = "List access requests: every request for an admin, your own for anyone else")
    @GetMapping("/access-requests")
    Map<String, Object> list(@RequestParam(required = false) String status) {
        if (status != null && !AccessRequestService.STATUSES.contains(status)) {
            throw ApiException.badRequest("status must be one of " + String.join(", ", AccessRequestService.STATUSES)
                    + " (got '" + status + "')");
        }
        List<AccessRequest> all = requests.list(SignedIn.current(), status);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_requests", all);
        body.put("count", all.size());
        return body;
    }

    @Operation(summary = "Ask for a role (any signed-in identity, including one with no role yet), with a reason")
    @PostMapping("/access-requests")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> create(@RequestBody(required = false) JsonNode body) {
        return Map.of("message", "Access requested: an admin will decide", "access_request",
                requests.create(JsonBody.of(body), SignedIn.current()));
    }

    @Operation(summary = "Get an access request (yours, or any for an admin)")
    @GetMapping("/access-requests/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return Map.of("access_request", requests.get(id, SignedIn.current()));
    }

    @Operation(summary = "Approve an access request with a role (admin); the requested role when none is given")
    @PostMapping("/access-requests/{id}/approve")
    Map<String, Object> approve(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        AccessRequest r = requests.approve(id, JsonBody.of(body), SignedIn.current());
        return Map.of("message", "Access request approved: " + r.username() + " is " + r.grantedRole(),
                "access_request", r);
    }

    @Operation(summary = "Reject an access request with a reason (admin)")
    @PostMapping("/access-requests/{id}/reject")
    Map<String, Object> reject(@PathVariable String id, @RequestBody(required = false) JsonNode body) {
        AccessRequest r = requests.reject(id, JsonBody.of(body), SignedIn.current());
        return Map.of("message", "Access request rejected", "access_request", r);
    }

    @Operation(summary = "The roles granted to token identities by approved access requests (admin)")
    @GetMapping("/role-grants")
    Map<String, Object> roleGrants() {
        List<Map<String, Object>> all = requests.roleGrants();
        return Map.of("role_grants", all, "count", all.size());
    }

    @Operation(summary = "Withdraw a token identity's granted role (admin); its tokens fall back to their claims")
    @DeleteMapping("/role-grants/{subject}")
    Map<String, Object> revokeGrant(@PathVariable String subject) {
        return Map.of("message", "Role grant withdrawn", "role_grant", requests.revokeGrant(subject));
    }
}

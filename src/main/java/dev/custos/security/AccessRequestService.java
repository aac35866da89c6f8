package dev.custos.security;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.Ids;

/**
 * Access requests: an identity that signed in but may not do what it needs (an OIDC token whose claims map to no
 * role, or a user who needs a higher role) asks an admin, who approves with a role ({@code access_request_approved},
 * {@code role}) or rejects with a reason ({@code access_request_rejected}, {@code reason}). Approving a user's
 * request changes the user's role; approving a token's grants its subject the role from its next request on.
 */
@Service
public class AccessRequestService {

    static final List<String> STATUSES = List.of("pending", "approved", "rejected");

    private final AccessRequestRepository repository;
    private final UserRepository users;
    private final Grants grants;
    private final AuditLog audit;
    private final Clock clock;

    AccessRequestService(AccessRequestRepository repository, UserRepository users, Grants grants, AuditLog audit,
            Clock clock) {
        this.repository = repository;
        this.users = users;
        this.grants = grants;
        this.audit = audit;
        this.clock = clock;
    }

    /** An admin sees every request; anyone else their own. */
    List<AccessRequest> list(SignedIn caller, String status) {
        return repository.list(status, SignedIn.actsAsAdmin(caller) ? null : requester(caller));
    }

    AccessRequest get(String id, SignedIn caller) {
        return repository.findById(id)
                .filter(r -> SignedIn.actsAsAdmin(caller) || r.requesterId().equals(requester(caller)))
                .orElseThrow(() -> ApiException.notFound("Access request '" + id + "' not found"));
    }

    @Transactional
    public AccessRequest create(JsonBody body, SignedIn caller) {
        if (caller == null) {
            throw ApiException.conflict("Access requests need authentication on: with CUSTOS_AUTH=none everyone has"
                    + " every right");
        }
        if (caller.kind().equals("api_key")) {
            throw ApiException.conflict("An API key cannot ask for access; its owner can");
        }
        String role = body.oneOf("role", Role.NAMES).orElse(null);
        if (role == null && !body.hasErrors()) {
            body.error("role is required: one of " + String.join(", ", Role.NAMES));
        }
        String reason = body.nonBlankString("reason", 1000).orElse(null);
        body.throwIfInvalid();
        if (caller.role() != null && caller.role().reaches(Role.of(role).level())) {
            throw ApiException.conflict("You have the role " + caller.roleName() + " already, which holds " + role);
        }
        if (repository.hasPending(caller.actorId())) {
            throw ApiException.conflict("You have a pending access request already: wait for an admin to decide it");
        }
        AccessRequest r = new AccessRequest(Ids.newId("access"), caller.actorId(), caller.kind(), caller.username(),
                caller.email(), caller.role() == null ? null : caller.roleName(), role, reason, "pending",
                clock.instant(), null, null, null, null);
        try {
            repository.insert(r);
        } catch (org.springframework.dao.DataAccessException e) {
            // The unique index of pending requests (SQLite's driver may report it uncategorized): a request of the
            // same identity won a race with this one.
            if (!String.valueOf(e.getMessage()).contains("access_requests")) {
                throw e;
            }
            throw ApiException.conflict("You have a pending access request already: wait for an admin to decide it");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("requested_role", role);
        details.put("reason", reason);
        details.put("requester", caller.username());
        details.put("current_role", r.currentRole());
        audit.success(AuditEvent.of("access_request_created", "access_request", r.id(), caller.username(), details)
                .withAfter(r));
        return r;
    }

    /** Approves with {@code role} (the requested one when the body names none). */
    @Transactional
    public AccessRequest approve(String id, JsonBody body, SignedIn caller) {
        AccessRequest before = pending(id, caller);
        String role = body.oneOf("role", Role.NAMES).orElse(before.requestedRole());
        body.throwIfInvalid();
        Instant now = clock.instant();
        String by = caller == null ? "anonymous" : caller.actorId();
        if (before.requesterKind().equals("user")) {
            User u = users.findById(before.requesterId()).orElseThrow(() -> ApiException.conflict("The user who asked"
                    + " (" + before.username() + ") no longer exists: reject the request instead"));
            // Their role may have changed since they asked: an approval never lowers it.
            if (Role.of(u.role()).reaches(Role.of(role).level())) {
                throw ApiException.conflict("User '" + u.username() + "' is " + u.role() + " already, which holds "
                        + role + ": reject the request instead");
            }
            User changed = new User(u.id(), u.username(), u.name(), u.email(), role, u.disabled(), u.createdAt(), now,
                    u.lastLoginAt());
            users.update(changed);
            Map<String, Object> userDetails = new LinkedHashMap<>();
            userDetails.put("updated_fields", List.of("role"));
            userDetails.put("role", role);
            userDetails.put("password_changed", false);
            userDetails.put("access_request_id", id);
            if (role.equals("admin")) {
                // As for any promotion to admin: grants would narrow the user again after a later demotion.
                List<Grants.Grant> removed = grants.of(u.id());
                grants.removeAllOf(u.id());
                if (!removed.isEmpty()) {
                    userDetails.put("grants_removed", removed);
                }
            }
            audit.success(AuditEvent.of("user_updated", "user", u.id(), u.username(), userDetails).withBefore(u)
                    .withAfter(changed));
        } else {
            repository.grant(before.requesterId(), role, by, now, id);
        }
        if (!repository.decide(id, "approved", now, by, role, null)) {
            throw ApiException.conflict("Access request '" + id + "' was decided already");
        }
        AccessRequest after = repository.findById(id).orElseThrow();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", role);
        details.put("requested_role", before.requestedRole());
        details.put("requester", before.username());
        details.put("requester_id", before.requesterId());
        audit.success(AuditEvent.of("access_request_approved", "access_request", id, before.username(), details)
                .withBefore(before).withAfter(after));
        return after;
    }

    @Transactional
    public AccessRequest reject(String id, JsonBody body, SignedIn caller) {
        AccessRequest before = pending(id, caller);
        String reason = body.requiredString("reason");
        if (reason != null && reason.length() > 1000) {
            body.error("reason must be at most 1000 characters");
        }
        body.throwIfInvalid();
        String by = caller == null ? "anonymous" : caller.actorId();
        if (!repository.decide(id, "rejected", clock.instant(), by, null, reason)) {
            throw ApiException.conflict("Access request '" + id + "' was decided already");
        }
        AccessRequest after = repository.findById(id).orElseThrow();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", reason);
        details.put("requested_role", before.requestedRole());
        details.put("requester", before.username());
        details.put("requester_id", before.requesterId());
        audit.success(AuditEvent.of("access_request_rejected", "access_request", id, before.username(), details)
                .withBefore(before).withAfter(after));
        return after;
    }

    /** The roles admins granted to token subjects by approving their requests. */
    List<Map<String, Object>> roleGrants() {
        return repository.roleGrants();
    }

    /** Withdraws the role granted to {@code subject}: its tokens fall back to what their claims map to. */
    @Transactional
    public Map<String, Object> revokeGrant(String subject) {
        Map<String, Object> grant = repository.roleGrants().stream().filter(g -> subject.equals(g.get("subject")))
                .findFirst().orElseThrow(() -> ApiException.notFound("No role is granted to '" + subject + "'"));
        repository.revokeGrant(subject);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", grant.get("role"));
        details.put("subject", subject);
        audit.success(AuditEvent.of("role_grant_revoked", "user", subject, subject, details).withBefore(grant));
        return grant;
    }

    /** The role an admin granted a token's subject by approving its request. */
    Optional<Role> grantedRole(String subject) {
        return repository.grantedRole(subject).map(Role::of);
    }

    private AccessRequest pending(String id, SignedIn caller) {
        AccessRequest r = get(id, caller);
        if (!r.status().equals("pending")) {
            throw ApiException.conflict("Access request '" + id + "' was " + r.status() + " already");
        }
        return r;
    }

    /** Whose requests a caller follows: its own, or for an API key its owner's. */
    private static String requester(SignedIn caller) {
        return caller.user() != null ? caller.user().id() : caller.actorId();
    }

}

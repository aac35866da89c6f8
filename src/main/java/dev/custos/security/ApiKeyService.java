package dev.custos.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.Ids;
import dev.custos.catalog.Timestamps;

/**
 * API keys: made by a signed-in user for scripts, acting for that user narrowed by their scopes, used as
 * {@code Authorization: Bearer custos_…}. The secret is shown once; the catalog keeps its SHA-256, so each request
 * finds its key by an index and a revoked key stops working on the next request. Every change is audited; each use
 * is in the request log under the key's id.
 */
@Service
public class ApiKeyService {

    /** What every key starts with, so that a leaked one is recognisable (and secret scanners can match it). */
    static final String PREFIX = "custos_";
    private static final int SECRET_BYTES = 24;
    private static final int SHOWN_PREFIX = PREFIX.length() + 6;
    private static final int DEFAULT_DAYS = 90;
    private static final int MAX_DAYS = 3650;
    private static final int MAX_GRACE_MINUTES = 7 * 24 * 60;
    /** last_used_at is written at most this often per key, so that a busy script does not write on every call. */
    private static final Duration USE_RESOLUTION = Duration.ofMinutes(1);

    private final ApiKeyRepository repository;
    private final UserRepository users;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ApiKeyService(ApiKeyRepository repository, UserRepository users, AuditLog audit, Clock clock) {
        this.repository = repository;
        this.users = users;
        this.audit = audit;
        this.clock = clock;
    }

    /** A key just made: the only time its secret is known. */
    record Created(ApiKey key, String secret) {
    }

    /** What presenting a key led to: a principal, or why it was refused (a security event's type and reason). */
    record Outcome(SignedIn signedIn, String refusal, String reason, ApiKey key) {

        static Outcome refused(String refusal, String reason, ApiKey key) {
            return new Outcome(null, refusal, reason, key);
        }
    }

    /** The keys {@code caller} may see: an admin's view holds every key, anyone else's their own. */
    List<ApiKey> list(SignedIn caller) {
        if (SignedIn.actsAsAdmin(caller)) {
            return repository.list(null);
        }
        // A token's identity has no user row, so it owns no keys.
        return caller.actorIdOfUser() == null ? List.of() : repository.list(caller.actorIdOfUser());
    }

    ApiKey get(String id, SignedIn caller) {
        return repository.findById(id).filter(k -> visible(k, caller))
                .orElseThrow(() -> ApiException.notFound("API key '" + id + "' not found"));
    }

    @Transactional
    public Created create(JsonBody body, SignedIn caller) {
        User owner = owner(caller);
        String name = body.requiredString("name");
        if (name != null && name.length() > 100) {
            body.error("name must be at most 100 characters");
        }
        List<String> scopes = scopes(body, Role.of(owner.role()));
        Instant now = clock.instant();
        Instant expires = expiry(body, now, null);
        body.throwIfInvalid();
        Created created = insert(name, scopes, owner, now, expires);
        Map<String, Object> details = details(created.key());
        audit.success(AuditEvent.of("api_key_created", "api_key", created.key().id(), name, details)
                .withAfter(created.key()));
        return created;
    }

    /**
     * A new secret for the key: a new key with the same name and scopes (and, unless {@code expires_in_days} says
     * otherwise, the same lifetime), and the old one revoked at once or, with {@code grace_minutes}, expiring then.
     */
    @Transactional
    public Created rotate(String id, JsonBody body, SignedIn caller) {
        ApiKey old = get(id, caller);
        if (caller != null && !old.ownerId().equals(caller.actorIdOfUser())) {
            // The new secret acts as the owner: only they may hold it. An admin revokes someone else's key instead.
            throw new ApiException(org.springframework.http.HttpStatus.FORBIDDEN, "Forbidden: only the owner of API key"
                    + " '" + old.name() + "' (" + old.ownerUsername() + ") may rotate it; revoke it instead");
        }
        int grace = body.integer("grace_minutes", 0, MAX_GRACE_MINUTES).orElse(0);
        Instant now = clock.instant();
        Duration lifetime = old.expiresAt() == null ? Duration.ofDays(DEFAULT_DAYS)
                : Duration.between(old.createdAt(), old.expiresAt());
        Instant expires = expiry(body, now, now.plus(lifetime));
        body.throwIfInvalid();
        if (!old.status().equals("active")) {
            throw ApiException.conflict("API key '" + old.name() + "' is " + old.status() + ": create a new key instead");
        }
        User owner = users.findById(old.ownerId())
                .orElseThrow(() -> ApiException.conflict("The owner of API key '" + old.name() + "' no longer exists"));
        Created created = insert(old.name(), old.scopes(), owner, now, expires);
        String newId = created.key().id();
        if (grace == 0) {
            repository.revoke(id, now, actorId(caller), newId);
        } else {
            repository.expire(id, now.plus(Duration.ofMinutes(grace)), newId);
        }
        ApiKey after = repository.findById(id).orElseThrow();
        Map<String, Object> details = details(old);
        details.put("replaced_by", newId);
        details.put("grace_minutes", grace);
        audit.success(AuditEvent.of("api_key_rotated", "api_key", id, old.name(), details).withBefore(old)
                .withAfter(after));
        Map<String, Object> createdDetails = details(created.key());
        createdDetails.put("rotated_from", id);
        audit.success(AuditEvent.of("api_key_created", "api_key", newId, old.name(), createdDetails)
                .withAfter(created.key()));
        return created;
    }

    /** Revokes the key: the next request that presents it is refused (and is a security event). */
    @Transactional
    public ApiKey revoke(String id, SignedIn caller) {
        ApiKey before = get(id, caller);
        if (before.revokedAt() != null) {
            return before;
        }
        repository.revoke(id, clock.instant(), actorId(caller), null);
        ApiKey after = repository.findById(id).orElseThrow();
        audit.success(AuditEvent.of("api_key_revoked", "api_key", id, before.name(), details(before))
                .withBefore(before).withAfter(after));
        return after;
    }

    /** Who {@code presented} (a whole {@code custos_…} key) signs in as, or why not. */
    Outcome authenticate(String presented, String ip) {
        Optional<ApiKey> found = repository.findBySecretHash(hash(presented));
        if (found.isEmpty()) {
            return Outcome.refused("api_key_invalid", "Unknown API key", null);
        }
        ApiKey key = found.get();
        if (key.status().equals("revoked")) {
            return Outcome.refused("api_key_revoked", "API key '" + key.name() + "' (" + key.prefix() + "…) was revoked"
                    + " at " + Timestamps.format(key.revokedAt()), key);
        }
        if (key.status().equals("expired")) {
            return Outcome.refused("api_key_expired", "API key '" + key.name() + "' (" + key.prefix() + "…) expired"
                    + " at " + Timestamps.format(key.expiresAt()), key);
        }
        Optional<User> owner = users.findById(key.ownerId());
        if (owner.isEmpty() || owner.get().disabled()) {
            return Outcome.refused("api_key_invalid", "The owner of API key '" + key.name() + "' is "
                    + (owner.isEmpty() ? "deleted" : "disabled"), key);
        }
        Instant now = clock.instant();
        if (key.lastUsedAt() == null || !now.isBefore(key.lastUsedAt().plus(USE_RESOLUTION))
                || (ip != null && !ip.equals(key.lastUsedIp()))) {
            repository.recordUse(key.id(), now, ip);
        }
        User u = owner.get();
        return new Outcome(new SignedIn("api_key", key.id(), u.username(), u.email(), Role.of(u.role()),
                Set.copyOf(key.scopes()), u), null, null, key);
    }

    private Created insert(String name, List<String> scopes, User owner, Instant now, Instant expires) {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiKey key = new ApiKey(Ids.newId("key"), name, secret.substring(0, SHOWN_PREFIX), scopes, owner.id(),
                owner.username(), now, expires, null, null, null, null, null, "active");
        repository.insert(key, hash(secret));
        return new Created(key, secret);
    }

    private static List<String> scopes(JsonBody body, Role role) {
        Optional<List<String>> given = body.stringList("scopes");
        if (given.isEmpty()) {
            if (!body.hasErrors()) {
                body.error("scopes is required: one or more of " + String.join(", ", Scopes.ALL));
            }
            return List.of();
        }
        Set<String> scopes = new LinkedHashSet<>(given.get());
        if (scopes.isEmpty()) {
            body.error("scopes must name at least one of " + String.join(", ", Scopes.ALL));
        }
        List<String> grantable = Scopes.grantable(role);
        for (String s : scopes) {
            if (!Scopes.ALL.contains(s)) {
                body.error("scopes: '" + s + "' is not a scope (one of " + String.join(", ", Scopes.ALL) + ")");
            } else if (!grantable.contains(s)) {
                body.error("scopes: the role " + role.value() + " cannot give a key the scope '" + s + "' (it may give "
                        + String.join(", ", grantable) + ")");
            }
        }
        return new ArrayList<>(scopes);
    }

    /** {@code expires_at} (an ISO instant) or {@code expires_in_days}; {@code otherwise} (or 90 days) when neither. */
    private Instant expiry(JsonBody body, Instant now, Instant otherwise) {
        Optional<Integer> days = body.integer("expires_in_days", 1, MAX_DAYS);
        Optional<String> at = body.nonBlankString("expires_at", 40);
        if (body.has("expires_in_days") && body.has("expires_at")) {
            body.error("give expires_at or expires_in_days, not both");
            return null;
        }
        if (at.isPresent()) {
            try {
                Instant t = Instant.parse(at.get());
                if (!t.isAfter(now) || t.isAfter(now.plus(Duration.ofDays(MAX_DAYS)))) {
                    body.error("expires_at must be in the future and within " + MAX_DAYS + " days (got '" + at.get()
                            + "')");
                }
                return t;
            } catch (DateTimeParseException e) {
                body.error("expires_at must be an ISO-8601 UTC time such as 2027-01-31T00:00:00Z (got '" + at.get()
                        + "')");
                return null;
            }
        }
        if (days.isPresent()) {
            return now.plus(Duration.ofDays(days.get()));
        }
        return otherwise != null ? otherwise : now.plus(Duration.ofDays(DEFAULT_DAYS));
    }

    private static Map<String, Object> details(ApiKey k) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", k.name());
        d.put("prefix", k.prefix());
        d.put("scopes", k.scopes());
        d.put("owner_id", k.ownerId());
        d.put("owner_username", k.ownerUsername());
        d.put("expires_at", k.expiresAt() == null ? null : Timestamps.format(k.expiresAt()));
        return d;
    }

    private static boolean visible(ApiKey k, SignedIn caller) {
        return SignedIn.actsAsAdmin(caller) || k.ownerId().equals(caller.actorIdOfUser());
    }


    /** The user a new key acts for: the caller (a key's owner, when a key makes another). */
    private static User owner(SignedIn caller) {
        if (caller == null) {
            throw ApiException.conflict("API keys act for a user: they need authentication on (CUSTOS_AUTH is none)");
        }
        if (caller.user() == null) {
            throw ApiException.conflict("API keys act for a Custos user; " + caller.username() + " signed in with a"
                    + " token and has no user of their own");
        }
        return caller.user();
    }

    private static String actorId(SignedIn caller) {
        return caller == null ? "anonymous" : caller.actorId();
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}

package dev.custos.policies;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
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
import dev.custos.catalog.RowLocks;

/** Backup policies: validated GFS tiers, a system policy that cannot be deleted, no policy deleted in use. */
@Service
public class PolicyService {

    public static final String DEFAULT_POLICY_ID = "production-standard";

    private final PolicyRepository repository;
    private final PolicyUsage usage;
    private final AuditLog audit;
    private final Clock clock;
    private final RowLocks locks;

    PolicyService(PolicyRepository repository, PolicyUsage usage, AuditLog audit, Clock clock, RowLocks locks) {
        this.locks = locks;
        this.repository = repository;
        this.usage = usage;
        this.audit = audit;
        this.clock = clock;
    }

    public List<Policy> list() {
        return repository.findAll();
    }

    public Policy get(String id) {
        return repository.findById(id).orElseThrow(() -> ApiException.notFound("Policy '" + id + "' not found"));
    }

    public boolean exists(String id) {
        return repository.exists(id);
    }

    @Transactional
    public Policy create(JsonBody body) {
        String name = body.requiredString("name");
        if (name != null && name.length() > 200) {
            body.error("name must be at most 200 characters");
        }
        Policy p = read(body, new Policy(Ids.newId("policy"), name, null, false, "UTC",
                TierKind.HOURLY.disabled(), TierKind.DAILY.disabled(), TierKind.WEEKLY.disabled(),
                TierKind.MONTHLY.disabled(), TierKind.YEARLY.disabled(), null, null));
        body.throwIfInvalid();
        Instant now = clock.instant();
        p = withName(p, name, now, now);
        requireUniqueName(p.name(), null);
        repository.insert(p);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("description", p.description());
        details.put("summary", p.summary());
        audit.success(AuditEvent.of("policy_created", "policy", p.id(), p.name(), details).withAfter(p));
        return p;
    }

    @Transactional
    public Policy update(String id, JsonBody body) {
        locks.lock("backup_policies", id);
        Policy before = get(id);
        String name = body.nonBlankString("name", 200).orElse(before.name());
        Policy p = read(body, before);
        body.throwIfInvalid();
        p = withName(p, name, before.createdAt(), clock.instant());
        requireUniqueName(p.name(), id);
        repository.update(p);
        List<String> updated = new ArrayList<>();
        for (String field : List.of("name", "description", "timezone", "hourly", "daily", "weekly", "monthly", "yearly")) {
            if (body.has(field)) {
                updated.add(field);
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("updated_fields", updated);
        details.put("summary", p.summary());
        audit.success(AuditEvent.of("policy_updated", "policy", id, p.name(), details).withBefore(before).withAfter(p));
        return p;
    }

    /**
     * Deletes a policy. System policies stay; a policy in use stays unless {@code moveTo} names the policy its
     * databases move to, in the same transaction.
     */
    @Transactional
    public Map<String, Object> delete(String id, String moveTo) {
        Policy p = get(id);
        if (p.isSystem()) {
            throw ApiException.badRequest("Policy '" + id + "' is a system policy and cannot be deleted");
        }
        int moved = 0;
        List<String> users = usage.databasesUsing(id);
        if (!users.isEmpty()) {
            if (moveTo == null) {
                List<String> shown = users.size() > 10 ? users.subList(0, 10) : users;
                throw ApiException.badRequest("Policy '" + id + "' is used by " + users.size() + " database(s): "
                        + String.join(", ", shown) + (users.size() > 10 ? ", …" : "")
                        + "; move them first or pass move_to=<policy id>");
            }
            if (moveTo.equals(id) || !repository.exists(moveTo)) {
                throw ApiException.badRequest("move_to must name another existing policy (got '" + moveTo + "')");
            }
            moved = usage.move(id, moveTo);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("description", p.description());
        details.put("summary", p.summary());
        details.put("is_system", p.isSystem());
        if (moved > 0) {
            details.put("databases_moved", moved);
            details.put("moved_to", moveTo);
        }
        audit.success(AuditEvent.of("policy_deleted", "policy", id, p.name(), details).withBefore(p));
        repository.delete(id);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("message", "Backup policy '" + id + "' deleted");
        if (moved > 0) {
            result.put("databases_moved", moved);
        }
        return result;
    }

    /**
     * The policy {@code body} describes over policy {@code baseId} (or over the policy its {@code policy_id} names),
     * validated like an update but not saved: what a retention preview weighs before a user saves a change.
     */
    public Policy proposed(String baseId, JsonBody body) {
        Optional<String> other = body.nonBlankString("policy_id", 200);
        body.throwIfInvalid();
        if (other.isPresent() && !repository.exists(other.get())) {
            throw ApiException.badRequest("policy_id '" + other.get() + "' does not exist");
        }
        Policy p = read(body, get(other.orElse(baseId)));
        body.throwIfInvalid();
        return p;
    }

    private Policy read(JsonBody body, Policy base) {
        String description = body.updatedString("description", 2000, base.description());
        String timezone = base.timezone();
        Optional<String> tz = body.string("timezone");
        if (tz.isPresent()) {
            try {
                timezone = ZoneId.of(tz.get()).getId();
            } catch (DateTimeException e) {
                body.error("timezone must be an IANA time zone such as UTC or Europe/Berlin (got '" + tz.get() + "')");
            }
        }
        Tier[] tiers = new Tier[TierKind.values().length];
        for (TierKind kind : TierKind.values()) {
            Tier current = base.tier(kind);
            tiers[kind.ordinal()] = body.nested(kind.field(), child -> kind.read(child, current)).orElse(current);
        }
        return new Policy(base.id(), base.name(), description, base.isSystem(), timezone,
                tiers[0], tiers[1], tiers[2], tiers[3], tiers[4], base.createdAt(), base.updatedAt());
    }

    private static Policy withName(Policy p, String name, Instant created, Instant updated) {
        return new Policy(p.id(), name, p.description(), p.isSystem(), p.timezone(), p.hourly(), p.daily(), p.weekly(),
                p.monthly(), p.yearly(), created, updated);
    }

    private void requireUniqueName(String name, String exceptId) {
        if (repository.nameTaken(name, exceptId)) {
            throw ApiException.conflict("A policy named '" + name + "' already exists");
        }
    }
}

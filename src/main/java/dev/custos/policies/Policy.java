package dev.custos.policies;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A backup policy with its GFS tiers, as the API shows it. */
public record Policy(
        String id,
        String name,
        String description,
        boolean isSystem,
        String timezone,
        Tier hourly,
        Tier daily,
        Tier weekly,
        Tier monthly,
        Tier yearly,
        Instant createdAt,
        Instant updatedAt) {

    public Tier tier(TierKind kind) {
        return switch (kind) {
            case HOURLY -> hourly;
            case DAILY -> daily;
            case WEEKLY -> weekly;
            case MONTHLY -> monthly;
            case YEARLY -> yearly;
        };
    }

    /** A one-line description for the audit trail, e.g. "daily 7, weekly 4, monthly 12". */
    public String summary() {
        List<String> parts = new ArrayList<>();
        for (TierKind kind : TierKind.values()) {
            Tier t = tier(kind);
            if (t.enabled()) {
                parts.add(kind.field() + " " + t.keepCount());
            }
        }
        return parts.isEmpty() ? "no tiers enabled" : String.join(", ", parts);
    }
}

package dev.custos.policies;

import java.util.Optional;
import java.util.regex.Pattern;

import dev.custos.api.JsonBody;

/** The five GFS tiers, each knowing its schedule fields, defaults and limits. */
public enum TierKind {
    HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY;

    private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");

    public String field() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The tier named by its field ("daily"), if any. */
    public static Optional<TierKind> parse(String field) {
        for (TierKind kind : values()) {
            if (kind.field().equals(field)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** What a policy has when a tier is not given at all. */
    Tier disabled() {
        return normalize(new Tier(false, 0, null, null, null, null, null));
    }

    /**
     * Reads a tier object over {@code base} (a partial update keeps the fields it does not name), fills the
     * defaults of this kind and drops fields that do not belong to it.
     */
    Tier read(JsonBody body, Tier base) {
        boolean enabled = body.bool("enabled").orElse(base.enabled());
        int keep = body.integer("keep_count", 0, 100_000).orElse(base.keepCount());
        Integer interval = this == HOURLY ? body.integer("interval_hours", 1, 24).orElse(base.intervalHours()) : null;
        String time = base.time();
        Optional<String> givenTime = body.string("time");
        if (givenTime.isPresent()) {
            if (TIME.matcher(givenTime.get()).matches()) {
                time = givenTime.get();
            } else {
                body.error("time must be HH:MM with hours 00-23 and minutes 00-59 (got '" + givenTime.get() + "')");
            }
        }
        Integer dow = this == WEEKLY ? body.integer("day_of_week", 0, 6).orElse(base.dayOfWeek()) : null;
        Integer dom = this == MONTHLY || this == YEARLY ? body.integer("day_of_month", 1, 31).orElse(base.dayOfMonth()) : null;
        Integer month = this == YEARLY ? body.integer("month", 1, 12).orElse(base.month()) : null;
        if (enabled && keep < 1) {
            body.error("keep_count must be at least 1 when the tier is enabled");
        }
        return normalize(new Tier(enabled, keep, interval, time, dow, dom, month));
    }

    /** Fills this kind's defaults and drops the fields that do not belong to it. */
    Tier normalize(Tier t) {
        return new Tier(
                t.enabled(),
                t.keepCount(),
                this == HOURLY ? orDefault(t.intervalHours(), 1) : null,
                this == HOURLY && t.time() == null ? null : orDefault(t.time(), "02:00"),
                this == WEEKLY ? orDefault(t.dayOfWeek(), 0) : null,
                this == MONTHLY || this == YEARLY ? orDefault(t.dayOfMonth(), 1) : null,
                this == YEARLY ? orDefault(t.month(), 1) : null);
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }
}

package dev.custos.settings;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.custos.api.JsonBody;
import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.RowLocks;
import dev.custos.catalog.Timestamps;

@Service
public class SettingsService {

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final Clock clock;

    private final RowLocks locks;

    SettingsService(JdbcClient jdbc, AuditLog audit, Clock clock, RowLocks locks) {
        this.locks = locks;
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
    }

    public Settings get() {
        return jdbc.sql("SELECT * FROM settings WHERE id = 1")
                .query((rs, row) -> new Settings(rs.getBoolean("dark_mode"), rs.getInt("default_retention_days"),
                        rs.getBoolean("default_compression"), Timestamps.fromMillis(rs.getLong("updated_at"))))
                .single();
    }

    @Transactional
    public Settings update(JsonBody body) {
        locks.lock("settings", 1);
        Settings before = get();
        boolean darkMode = body.bool("dark_mode").orElse(before.darkMode());
        int retention = body.integer("default_retention_days", 1, 36_500).orElse(before.defaultRetentionDays());
        boolean compression = body.bool("default_compression").orElse(before.defaultCompression());
        body.throwIfInvalid();
        Settings after = new Settings(darkMode, retention, compression, clock.instant());
        jdbc.sql("""
                UPDATE settings SET dark_mode = ?, default_retention_days = ?, default_compression = ?, updated_at = ?
                WHERE id = 1
                """).params(darkMode, retention, compression, Timestamps.toMillis(after.updatedAt())).update();
        Map<String, Object> changes = new LinkedHashMap<>();
        record Change(String field, Object from, Object to) {
        }
        for (Change c : List.of(
                new Change("dark_mode", before.darkMode(), darkMode),
                new Change("default_retention_days", before.defaultRetentionDays(), retention),
                new Change("default_compression", before.defaultCompression(), compression))) {
            if (!c.from().equals(c.to())) {
                changes.put(c.field(), Map.of("from", c.from(), "to", c.to()));
            }
        }
        audit.success(AuditEvent.of("settings_updated", "settings", "settings", "Settings", Map.of("changes", changes))
                .withBefore(before).withAfter(after));
        return after;
    }
}

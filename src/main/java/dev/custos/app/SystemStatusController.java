package dev.custos.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.custos.api.ApiException;
import dev.custos.api.Narrowing;
import dev.custos.catalog.Filters;
import dev.custos.restores.LastRestorable;
import dev.custos.restores.Restore;
import dev.custos.restores.RestoreService;
import dev.custos.schedules.ScheduleOverview;
import dev.custos.storage.LocalStorageBackend;

/** {@code GET /api/system-status}: storage probed for real, counts from the catalog. */
@RestController
class SystemStatusController {

    private static final List<String> INCLUDES = List.of("all", "storage", "databases", "backups", "restores", "schedules");
    /** Failed verifications listed at most. */
    private static final int FAILED_SHOWN = 10;
    /** Overdue databases named at most (GET /api/schedules lists them all). */
    private static final int OVERDUE_SHOWN = 50;

    private final JdbcClient jdbc;
    private final LocalStorageBackend storage;
    private final Clock clock;
    private final RestoreService restores;

    private final ScheduleOverview schedules;

    SystemStatusController(JdbcClient jdbc, LocalStorageBackend storage, Clock clock, RestoreService restores,
            ScheduleOverview schedules) {
        this.schedules = schedules;
        this.jdbc = jdbc;
        this.storage = storage;
        this.clock = clock;
        this.restores = restores;
    }

    @Operation(summary = "Status of the API, the backup storage (probed by a real write) and the catalog's counts")
    @GetMapping("/api/system-status")
    Map<String, Object> status(@RequestParam(defaultValue = "all") String include) {
        if (!INCLUDES.contains(include)) {
            throw ApiException.badRequest("include must be one of " + String.join(", ", INCLUDES) + " (got '" + include + "')");
        }
        boolean all = include.equals("all");
        Map<String, Object> services = new LinkedHashMap<>();
        services.put("api", service("healthy", "API is running"));
        String overall = "healthy";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", overall);
        body.put("timestamp", clock.instant());
        body.put("services", services);

        if (all || include.equals("storage")) {
            LocalStorageBackend.Probe probe = storage.probe();
            Map<String, Object> s = service(probe.healthy() ? "healthy" : "unhealthy", probe.message());
            s.put("free_bytes", probe.freeBytes());
            services.put("storage", s);
            if (!probe.healthy()) {
                overall = "unhealthy";
            }
            long size = backups("coalesce(sum(file_size_bytes), 0)", "completed");
            long count = backups("count(*)", "completed");
            Map<String, Object> usage = new LinkedHashMap<>();
            usage.put("total_size_bytes", size);
            usage.put("total_size_formatted", formatBytes(size));
            usage.put("backup_count", count);
            body.put("storage", usage);
        }
        if (all || include.equals("databases")) {
            long total = databases(false);
            long enabled = databases(true);
            Map<String, Object> d = service("healthy", total + " database" + (total == 1 ? "" : "s") + " configured");
            d.put("total", total);
            d.put("enabled", enabled);
            services.put("databases", d);
        }
        if (all || include.equals("backups")) {
            long completed = backups("count(*)", "completed");
            long failed = backups("count(*)", "failed");
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("completed", completed);
            b.put("failed", failed);
            b.put("success_rate", completed + failed == 0 ? null
                    : Math.round(1000.0 * completed / (completed + failed)) / 10.0);
            body.put("backups", b);
        }
        if (all || include.equals("restores")) {
            body.put("restorability", restorability());
        }
        if (all || include.equals("schedules")) {
            ScheduleOverview.Summary summary = schedules.summary();
            Map<String, Object> s = service(summary.overdueDatabases().isEmpty() ? "healthy" : "degraded",
                    (summary.overdueDatabases().isEmpty()
                            ? summary.scheduledDatabases() + " scheduled database(s), none overdue"
                            : summary.overdueDatabases().size() + " database(s) overdue: their last successful backup"
                                    + " is older than their schedule allows")
                            + (summary.schedulingEnabled() ? ""
                                    : "; this process does not run schedules (custos.schedules.enabled=false)"));
            s.put("scheduling_enabled", summary.schedulingEnabled());
            s.put("scheduled_databases", summary.scheduledDatabases());
            s.put("next_run_at", summary.nextRunAt());
            s.put("last_run_at", summary.lastRunAt());
            s.put("overdue_count", summary.overdueDatabases().size());
            s.put("overdue_databases", summary.overdueDatabases().size() > OVERDUE_SHOWN
                    ? summary.overdueDatabases().subList(0, OVERDUE_SHOWN) : summary.overdueDatabases());
            services.put("schedules", s);
            if (!summary.overdueDatabases().isEmpty() && overall.equals("healthy")) {
                overall = "degraded";
            }
        }
        body.put("status", overall);
        return body;
    }

    /** {@code aggregate} over the backups with {@code status} that the caller's grants leave in. */
    private long backups(String aggregate, String status) {
        Filters f = new Filters().add("status = :status", "status", status)
                .and(Narrowing.filter("database_id", "engine_id"));
        return jdbc.sql("SELECT " + aggregate + " FROM backups" + f.where()).params(f.params()).query(Long.class)
                .single();
    }

    /** How many databases (enabled ones only, or all) the caller's grants leave in. */
    private long databases(boolean enabledOnly) {
        Filters f = new Filters().add("enabled = :enabled", "enabled", enabledOnly ? Boolean.TRUE : null)
                .and(Narrowing.filter("id", "engine_id"));
        return jdbc.sql("SELECT count(*) FROM databases" + f.where()).params(f.params()).query(Long.class).single();
    }

    /**
     * Per database, the newest backup a test restore proved restorable and its age; and the latest failed
     * verifications, which are what an operator must look at.
     */
    private Map<String, Object> restorability() {
        Instant now = clock.instant();
        List<Map<String, Object>> perDatabase = new ArrayList<>();
        for (LastRestorable last : restores.lastRestorable()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("database_id", last.databaseId());
            d.put("database_name", last.databaseName());
            d.put("last_verified_backup_id", last.backupId());
            d.put("last_verified_backup_created_at", last.backupCreatedAt());
            d.put("verified_at", last.verifiedAt());
            d.put("age_seconds", last.backupCreatedAt() == null ? null
                    : Duration.between(last.backupCreatedAt(), now).toSeconds());
            perDatabase.add(d);
        }
        List<Map<String, Object>> failed = new ArrayList<>();
        for (Restore r : restores.recentFailedVerifications(FAILED_SHOWN)) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("restore_id", r.id());
            f.put("backup_id", r.backupId());
            f.put("restore_type", r.restoreType());
            f.put("failed_at", r.completedAt());
            f.put("error_message", r.errorMessage());
            failed.add(f);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("databases", perDatabase);
        result.put("never_verified", perDatabase.stream().filter(d -> d.get("last_verified_backup_id") == null).count());
        result.put("recent_failures", failed);
        return result;
    }

    private static Map<String, Object> service(String status, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("message", message);
        return m;
    }

    static String formatBytes(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}

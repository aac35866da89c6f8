package dev.custos.app;

import java.time.Clock;
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
import dev.custos.storage.LocalStorageBackend;

/** {@code GET /api/system-status}: storage probed for real, counts from the catalog. */
@RestController
class SystemStatusController {

    private static final List<String> INCLUDES = List.of("all", "storage", "databases", "backups");

    private final JdbcClient jdbc;
    private final LocalStorageBackend storage;
    private final Clock clock;

    SystemStatusController(JdbcClient jdbc, LocalStorageBackend storage, Clock clock) {
        this.jdbc = jdbc;
        this.storage = storage;
        this.clock = clock;
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
            long size = jdbc.sql("SELECT coalesce(sum(file_size_bytes), 0) FROM backups WHERE status = 'completed'")
                    .query(Long.class).single();
            long count = jdbc.sql("SELECT count(*) FROM backups WHERE status = 'completed'").query(Long.class).single();
            Map<String, Object> usage = new LinkedHashMap<>();
            usage.put("total_size_bytes", size);
            usage.put("total_size_formatted", formatBytes(size));
            usage.put("backup_count", count);
            body.put("storage", usage);
        }
        if (all || include.equals("databases")) {
            long total = jdbc.sql("SELECT count(*) FROM databases").query(Long.class).single();
            long enabled = jdbc.sql("SELECT count(*) FROM databases WHERE enabled = TRUE").query(Long.class).single();
            Map<String, Object> d = service("healthy", total + " database" + (total == 1 ? "" : "s") + " configured");
            d.put("total", total);
            d.put("enabled", enabled);
            services.put("databases", d);
        }
        if (all || include.equals("backups")) {
            long completed = jdbc.sql("SELECT count(*) FROM backups WHERE status = 'completed'").query(Long.class).single();
            long failed = jdbc.sql("SELECT count(*) FROM backups WHERE status = 'failed'").query(Long.class).single();
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("completed", completed);
            b.put("failed", failed);
            b.put("success_rate", completed + failed == 0 ? null
                    : Math.round(1000.0 * completed / (completed + failed)) / 10.0);
            body.put("backups", b);
        }
        body.put("status", overall);
        return body;
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

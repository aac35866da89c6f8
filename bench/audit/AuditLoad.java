import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.servlet.http.HttpServletRequest;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.audit.AuditProperties;
import dev.custos.catalog.Ids;

/**
 * Loads an audit trail of realistic variety into a fresh catalog for bench/audit/run.sh, through Custos's own
 * {@link AuditLog} (so every event is classified, redacted, hashed into the chain and checkpointed exactly as the server
 * does it), in transactions of {@code --batch} events under a stepping clock that spreads them over {@code --days}.
 *
 * <pre>
 *   java -cp custos.jar:lib/*:. AuditLoad --url JDBC_URL [--user U --password P] --key FILE --events N
 *       [--batch 1000] [--days 365] [--end EPOCH_MS] [--seed 42] [--samples FILE]
 * </pre>
 *
 * The catalog is migrated first (Flyway, the server's migrations). Events caused by an API request carry a request
 * (address, user agent, request id, method, path; the actor is then "anonymous", as in the server without
 * authentication); events of what Custos does by itself (scheduled backups, test restores, purges) have the
 * "system" actor. About 33 actions over 8 resource types, 50 engines (postgresql, mysql, sqlserver) and sqlite
 * databases without an engine, about 5% failures. {@code --samples} receives filter values that exist in the
 * loaded trail (a database id and its name, an engine id, a request id, a week in the middle), for the queries.
 */
public class AuditLoad {

    /** A clock the loader moves: each transaction's events get the time it is set to when it commits. */
    static final class SteppingClock extends Clock {
        volatile long now;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }

        @Override
        public long millis() {
            return now;
        }
    }

    record Engine(String id, String name, String type, String host, int port) {
    }

    record Db(String id, String name, String type, Engine engine, String policyId) {
    }

    record Backup(String id, Db db, String blob) {
    }

    // vocabulary: names as teams give them
    static final String[] TEAMS = {"billing", "crm", "analytics", "payments", "inventory", "hr", "search", "ledger",
            "catalog", "orders", "identity", "support"};
    static final String[] APPS = {"api", "worker", "reports", "web", "etl", "gateway", "scheduler", "events"};
    static final String[] ENVS = {"prod", "staging", "dev", "qa"};
    static final String[] AGENTS = {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "curl/8.5.0", "python-requests/2.32.3", "terraform-provider-custos/1.4.0", "custos-cli/0.9.2"};
    static final String[] ERRORS = {"connection refused: 10.0.4.17:5432", "pg_dump: error: query failed: permission denied for table",
            "mariadb-dump: Got error: 2013: Lost connection to server during query", "storage write failed: disk quota exceeded",
            "timeout after 3600 s", "password authentication failed for user \"backup\"",
            "validation failed: keep_count must be between 0 and 1000"};

    /** Actions, their weight in ‰, whether a request causes them, and whether they are failures by nature. */
    record Kind(String action, int weight, boolean byUser, boolean failed) {
    }

    static final List<Kind> KINDS = List.of(
            new Kind("backup_triggered", 150, false, false), // scheduled; 25% of them by a user, see below
            new Kind("backup_started", 150, false, false),
            new Kind("backup_completed", 135, false, false),
            new Kind("backup_failed", 9, false, true),
            new Kind("backup_cancel_requested", 2, true, false),
            new Kind("backup_cancelled", 2, false, false),
            new Kind("backup_verified", 60, false, false),
            new Kind("backup_downloaded", 25, true, false),
            new Kind("backup_file_served", 25, true, false),
            new Kind("backup_deleted", 60, false, false),
            new Kind("backup_deleted_bulk", 3, true, false),
            new Kind("restore_requested", 10, true, false),
            new Kind("restore_started", 10, false, false),
            new Kind("restore_completed", 9, false, false),
            new Kind("restore_failed", 1, false, true),
            new Kind("restore_cancelled", 1, true, false),
            new Kind("test_restore_started", 30, false, false),
            new Kind("test_restore_completed", 28, false, false),
            new Kind("test_restore_failed", 2, false, true),
            new Kind("database_created", 40, true, false),
            new Kind("database_updated", 110, true, false),
            new Kind("database_deleted", 12, true, false),
            new Kind("engine_created", 5, true, false),
            new Kind("engine_updated", 12, true, false),
            new Kind("engine_deleted", 2, true, false),
            new Kind("policy_created", 5, true, false),
            new Kind("policy_updated", 12, true, false),
            new Kind("policy_deleted", 2, true, false),
            new Kind("settings_updated", 6, true, false),
            new Kind("encryption_key_created", 1, true, false),
            new Kind("encryption_key_rotated", 1, true, false),
            new Kind("audit_exported", 5, true, false),
            new Kind("request_log_purged", 24, false, false));

    final SplittableRandom r;
    final Kind[] table;
    final List<Engine> engines = new ArrayList<>();
    final List<Db> dbs = new ArrayList<>();
    final List<String> policies = new ArrayList<>();
    final Backup[] recent = new Backup[512];
    int recentCount;
    long failed;
    long byUser;
    final Map<String, Long> perAction = new HashMap<>();
    final SteppingClock clock = new SteppingClock();
    String sampleRequestId;
    long written;
    long sampleAfter;

    AuditLoad(long seed) {
        r = new SplittableRandom(seed);
        int total = KINDS.stream().mapToInt(Kind::weight).sum();
        table = new Kind[total];
        int i = 0;
        for (Kind k : KINDS) {
            for (int w = 0; w < k.weight(); w++) {
                table[i++] = k;
            }
        }
        String[] types = {"postgresql", "mysql", "sqlserver"};
        int[] counts = {24, 18, 8};
        for (int t = 0; t < types.length; t++) {
            for (int n = 1; n <= counts[t]; n++) {
                String region = n % 3 == 0 ? "us-east" : n % 3 == 1 ? "eu-west" : "ap-south";
                engines.add(new Engine(Ids.newId("engine"), types[t].substring(0, 2) + "-" + region + "-" + String.format("%02d", n),
                        types[t], types[t].substring(0, 2) + n + "." + region + ".example.internal",
                        types[t].equals("postgresql") ? 5432 : types[t].equals("mysql") ? 3306 : 1433));
            }
        }
        for (int p = 0; p < 12; p++) {
            policies.add(p == 0 ? "production-standard" : Ids.newId("policy"));
        }
        for (int d = 0; d < 2000; d++) {
            dbs.add(newDb());
        }
    }

    Db newDb() {
        String name = pick(TEAMS) + "-" + pick(APPS) + "-" + pick(ENVS) + "-" + String.format("%04d", r.nextInt(10000));
        if (r.nextInt(100) < 10) {
            return new Db(Ids.newId("db"), name, "sqlite", null, pick(policies));
        }
        Engine e = engines.get(r.nextInt(engines.size()));
        return new Db(Ids.newId("db"), name, e.type(), e, pick(policies));
    }

    <T> T pick(List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    String pick(String[] a) {
        return a[r.nextInt(a.length)];
    }

    Backup recentBackup() {
        if (recentCount == 0) {
            return newBackup(pick(dbs));
        }
        return recent[r.nextInt(Math.min(recentCount, recent.length))];
    }

    Backup newBackup(Db db) {
        String ts = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(clock.instant());
        String ext = db.type().equals("postgresql") ? ".dump.zst" : db.type().equals("sqlite") ? ".sqlite.zst" : ".sql.zst";
        Backup b = new Backup(Ids.newId("backup"), db, db.type() + "/" + db.id() + "/" + ts + ext + (r.nextInt(4) == 0 ? ".enc" : ""));
        recent[recentCount++ % recent.length] = b;
        return b;
    }

    // views of resources, as the API shows them (before/after of updates and deletions)

    Map<String, Object> dbView(Db d, int retention, boolean encrypted) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("name", d.name());
        m.put("database_type", d.type());
        m.put("engine_id", d.engine() == null ? null : d.engine().id());
        m.put("engine_name", d.engine() == null ? null : d.engine().name());
        m.put("use_engine_credentials", d.engine() != null);
        m.put("host", d.engine() == null ? null : d.engine().host());
        m.put("port", d.engine() == null ? null : d.engine().port());
        m.put("database_name", d.type().equals("sqlite") ? "/srv/" + d.name() + "/app.db" : d.name().replace('-', '_'));
        m.put("username", d.engine() == null ? null : "backup");
        m.put("has_password", d.engine() != null);
        m.put("policy_id", d.policyId());
        m.put("enabled", true);
        m.put("compression", "zstd");
        m.put("compression_level", retention % 7 == 0 ? 6 : 3);
        m.put("encrypted", encrypted);
        m.put("backup_destination", "local");
        m.put("schedule", "0 2 * * *");
        m.put("tags", Map.of("team", d.name().substring(0, d.name().indexOf('-')), "env", d.name().split("-")[2]));
        m.put("created_at", "2025-01-15T09:12:44.120Z");
        m.put("updated_at", clock.instant().toString());
        return m;
    }

    Map<String, Object> backupView(Backup b, String status, long size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.id());
        m.put("job_id", "job-" + b.id().substring(7));
        m.put("database_id", b.db().id());
        m.put("database_name", b.db().name());
        m.put("database_alias", b.db().name());
        m.put("database_type", b.db().type());
        m.put("engine_id", b.db().engine() == null ? null : b.db().engine().id());
        m.put("engine_name", b.db().engine() == null ? null : b.db().engine().name());
        m.put("status", status);
        m.put("tier", pick(new String[] {"daily", "daily", "daily", "weekly", "monthly"}));
        m.put("started_at", clock.instant().minusSeconds(120).toString());
        m.put("completed_at", status.equals("completed") ? clock.instant().toString() : null);
        m.put("duration_seconds", status.equals("completed") ? 20 + r.nextInt(600) + 0.25 : null);
        m.put("blob_name", b.blob());
        m.put("file_size_bytes", status.equals("completed") ? size : null);
        m.put("file_format", b.db().type().equals("postgresql") ? "custom" : "sql");
        m.put("error_message", null);
        m.put("triggered_by", "schedule");
        m.put("checksum_sha256", status.equals("completed") ? hex(64) : null);
        m.put("compression", "zstd");
        m.put("compression_level", 3);
        m.put("encrypted", b.blob().endsWith(".enc"));
        m.put("encryption_key_id", b.blob().endsWith(".enc") ? "key-2025-01" : null);
        m.put("raw_size_bytes", size * 3);
        m.put("server_version", b.db().type().equals("postgresql") ? "16.4" : b.db().type().equals("mysql") ? "8.0.39" : "3.46.1");
        m.put("dump_tool", b.db().type().equals("postgresql") ? "pg_dump" : b.db().type().equals("mysql") ? "mariadb-dump" : "custos");
        m.put("warnings", List.of());
        m.put("has_fingerprint", true);
        return m;
    }

    String hex(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append("0123456789abcdef".charAt(r.nextInt(16)));
        }
        return sb.toString();
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> of(Db d) {
        return map("database_id", d.id(), "database_alias", d.name(), "database_type", d.type(), "engine_id",
                d.engine() == null ? null : d.engine().id());
    }

    /** One event: what {@code kind} looks like when the code of its feature writes it. */
    AuditEvent event(Kind kind) {
        String a = kind.action();
        if (a.startsWith("backup_") && !a.equals("backup_deleted_bulk")) {
            Backup b = a.equals("backup_triggered") ? newBackup(pick(dbs)) : recentBackup();
            Map<String, Object> d = of(b.db());
            long size = 1_000_000L + r.nextLong(40_000_000_000L);
            AuditEvent e = switch (a) {
                case "backup_triggered" -> {
                    d.putAll(map("triggered_by", "schedule", "job_id", "job-" + b.id().substring(7), "backup_id", b.id(),
                            "compression", "zstd", "encrypted", b.blob().endsWith(".enc")));
                    yield AuditEvent.of(a, "backup", b.id(), b.db().name(), d).withAfter(backupView(b, "pending", 0));
                }
                case "backup_started" -> {
                    d.putAll(map("job_id", "job-" + b.id().substring(7), "worker", "custos-1:worker-" + r.nextInt(2)));
                    yield AuditEvent.of(a, "backup", b.id(), b.db().name(), d);
                }
                case "backup_completed" -> {
                    d.putAll(map("job_id", "job-" + b.id().substring(7), "blob_name", b.blob(), "file_size_bytes", size,
                            "checksum_sha256", hex(64), "duration_seconds", 20 + r.nextInt(600), "encrypted",
                            b.blob().endsWith(".enc"), "encryption_key_id", b.blob().endsWith(".enc") ? "key-2025-01" : null));
                    yield AuditEvent.of(a, "backup", b.id(), b.blob(), d).withAfter(backupView(b, "completed", size));
                }
                case "backup_failed", "backup_cancelled" -> {
                    d.putAll(map("job_id", "job-" + b.id().substring(7), "status", a.substring(7)));
                    yield AuditEvent.of(a, "backup", b.id(), b.db().name(), d).withAfter(backupView(b, a.substring(7), 0));
                }
                case "backup_verified" -> {
                    d.putAll(map("backup_id", b.id(), "verification_kind", r.nextInt(4) == 0 ? "test_restore" : "checksum",
                            "verification_status", "passed", "verification_details", map("checksum_sha256", hex(64))));
                    yield AuditEvent.of(a, "backup", b.id(), b.blob(), d);
                }
                case "backup_downloaded" -> {
                    d.putAll(map("blob_name", b.blob(), "file_name", b.blob().substring(b.blob().lastIndexOf('/') + 1),
                            "expiry_hours", 24));
                    yield AuditEvent.of(a, "backup", b.id(), b.blob(), d);
                }
                case "backup_file_served" -> {
                    d.putAll(map("blob_name", b.blob(), "file_name", b.blob().substring(b.blob().lastIndexOf('/') + 1),
                            "range", null, "bytes", size));
                    yield AuditEvent.of(a, "backup", b.id(), b.blob(), d);
                }
                case "backup_deleted" -> {
                    d.putAll(map("blob_name", b.blob(), "file_name", b.blob().substring(b.blob().lastIndexOf('/') + 1),
                            "type", "retention"));
                    yield AuditEvent.of(a, "backup", b.id(), b.blob(), d).withBefore(backupView(b, "completed", size));
                }
                default -> { // backup_cancel_requested
                    d.putAll(map("job_id", "job-" + b.id().substring(7), "status_before", "in_progress"));
                    yield AuditEvent.of(a, "backup", b.id(), b.db().name(), d);
                }
            };
            return e;
        }
        if (a.equals("backup_deleted_bulk")) {
            List<String> files = new ArrayList<>();
            for (int i = 0, n = 2 + r.nextInt(10); i < n; i++) {
                files.add(recentBackup().blob());
            }
            return AuditEvent.of(a, "backup", null, null, map("deleted_count", files.size(), "deleted_files", files,
                    "not_found_count", 0, "not_found_files", List.of(), "error_count", 0, "errors", List.of()));
        }
        if (a.startsWith("restore_") || a.startsWith("test_restore_")) {
            Backup b = recentBackup();
            String id = Ids.newId("restore");
            Map<String, Object> d = of(b.db());
            d.putAll(map("restore_id", id, "backup_id", b.id(), "restore_type", a.startsWith("test_") ? "test_restore" : "in_place",
                    "target_engine_id", b.db().engine() == null ? null : b.db().engine().id(), "target_database_name",
                    a.startsWith("test_") ? "custos_test_" + hex(8) : b.db().name(), "create_snapshot", true,
                    "strict_delete", false));
            if (a.endsWith("_completed")) {
                d.putAll(map("restore_seconds", 5 + r.nextInt(900), "pre_restore_snapshot_id", a.startsWith("test_") ? null
                        : Ids.newId("backup"), "fingerprint_matches", true, "tables_compared", 10 + r.nextInt(200)));
            }
            return AuditEvent.of(a, "restore", id, b.db().name(), d);
        }
        if (a.startsWith("database_")) {
            Db db = a.equals("database_created") ? newDb() : pick(dbs);
            if (a.equals("database_created")) {
                dbs.set(r.nextInt(dbs.size()), db); // the population stays at 2000, slowly renewed
                Map<String, Object> d = of(db);
                d.putAll(map("host", db.engine() == null ? null : db.engine().host(), "port", db.engine() == null ? null
                        : db.engine().port(), "database_name", db.name().replace('-', '_'), "policy_id", db.policyId(),
                        "source", r.nextInt(3) == 0 ? "discovery" : "api", "password", "s3cr3t-" + hex(6)));
                return AuditEvent.of(a, "database", db.id(), db.name(), d).withAfter(dbView(db, 30, false));
            }
            if (a.equals("database_deleted")) {
                Map<String, Object> d = of(db);
                d.putAll(map("backups_deleted", r.nextInt(40), "files_deleted", r.nextInt(40)));
                return AuditEvent.of(a, "database", db.id(), db.name(), d).withBefore(dbView(db, 30, false));
            }
            int from = 7 + r.nextInt(60);
            int to = from + 1 + r.nextInt(30);
            Map<String, Object> d = of(db);
            d.put("changes", map("default_retention_days", map("from", from, "to", to)));
            return AuditEvent.of(a, "database", db.id(), db.name(), d).withBefore(dbView(db, from, false))
                    .withAfter(dbView(db, to, r.nextInt(5) == 0));
        }
        if (a.startsWith("engine_")) {
            Engine e = pick(engines);
            Map<String, Object> view = map("id", e.id(), "name", e.name(), "engine_type", e.type(), "host", e.host(),
                    "port", e.port(), "auth_method", "password", "username", "backup", "has_password", true,
                    "discovery_enabled", true, "database_count", r.nextInt(80), "created_at", "2025-01-10T08:00:00Z",
                    "updated_at", clock.instant().toString());
            Map<String, Object> d = map("engine_type", e.type(), "host", e.host(), "port", e.port(), "engine_id", e.id());
            return switch (a) {
                case "engine_created" -> AuditEvent.of(a, "engine", e.id(), e.name(), d).withAfter(view);
                case "engine_deleted" -> AuditEvent.of(a, "engine", e.id(), e.name(), map("engine_type", e.type(),
                        "databases_deleted", r.nextInt(30), "backups_kept", r.nextInt(300))).withBefore(view);
                default -> {
                    Map<String, Object> after = new LinkedHashMap<>(view);
                    after.put("port", e.port() + 1);
                    d.put("password", "changed-" + hex(8));
                    yield AuditEvent.of(a, "engine", e.id(), e.name(), d).withBefore(view).withAfter(after);
                }
            };
        }
        if (a.startsWith("policy_")) {
            String id = pick(policies);
            String name = pick(TEAMS) + " " + pick(ENVS) + " retention";
            Map<String, Object> view = map("id", id, "name", name, "description", "GFS for " + name, "is_system", false,
                    "timezone", "UTC", "daily", map("enabled", true, "keep_count", 7, "time", "02:00"), "weekly",
                    map("enabled", true, "keep_count", 4, "time", "02:00", "day_of_week", 0), "monthly",
                    map("enabled", true, "keep_count", 12, "time", "02:00", "day_of_month", 1));
            Map<String, Object> after = new LinkedHashMap<>(view);
            after.put("daily", map("enabled", true, "keep_count", 14, "time", "02:00"));
            return switch (a) {
                case "policy_created" -> AuditEvent.of(a, "policy", id, name, map("description", view.get("description"),
                        "summary", "7 daily, 4 weekly, 12 monthly")).withAfter(view);
                case "policy_deleted" -> AuditEvent.of(a, "policy", id, name, map("databases_moved", r.nextInt(5),
                        "moved_to", "production-standard")).withBefore(view);
                default -> AuditEvent.of(a, "policy", id, name, map("updated_fields", List.of("daily"), "summary",
                        "14 daily, 4 weekly, 12 monthly")).withBefore(view).withAfter(after);
            };
        }
        return switch (a) {
            case "settings_updated" -> {
                int from = 30 + r.nextInt(60);
                yield AuditEvent.of(a, "settings", "settings", "Settings", map("changes", map("default_retention_days",
                        map("from", from, "to", from + 1)))).withBefore(map("dark_mode", false, "default_retention_days", from,
                        "default_compression", true)).withAfter(map("dark_mode", false, "default_retention_days", from + 1,
                        "default_compression", true));
            }
            case "encryption_key_created", "encryption_key_rotated" -> AuditEvent.of(a, "encryption_key",
                    "key-" + hex(8), "backup encryption key", map("algorithm", "AES256_GCM_HKDF_1MB", "keyset", "sealed",
                            "master_key", "never-stored"));
            case "audit_exported" -> AuditEvent.of(a, "audit", null, "Audit trail", map("format", r.nextBoolean() ? "jsonl"
                    : "csv", "filters", map("start_date", "2025-01-01", "action", "backup_deleted")));
            default -> AuditEvent.of(a, "audit", null, "Request log", map("removed", 1000 + r.nextInt(200000),
                    "older_than", clock.instant().minusSeconds(90L * 86400).toString(), "retention_days", 90));
        };
    }

    HttpServletRequest request(String method, String path) {
        String ip = r.nextInt(5) == 0 ? "2001:db8::" + Integer.toHexString(r.nextInt(4096))
                : "10." + r.nextInt(4) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
        String agent = pick(AGENTS);
        String requestId = Ids.newId("req");
        return (HttpServletRequest) Proxy.newProxyInstance(AuditLoad.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getRemoteAddr" -> ip;
                    case "getHeader" -> "User-Agent".equalsIgnoreCase((String) args[0]) ? agent : null;
                    case "getAttribute" -> "custos.requestId".equals(args[0]) ? requestId : null;
                    case "getMethod" -> method;
                    case "getRequestURI" -> path;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "request " + requestId;
                    default -> null;
                });
    }

    static String method(String action) {
        if (action.endsWith("_created") || action.endsWith("_requested") || action.equals("backup_triggered")
                || action.equals("encryption_key_rotated") || action.equals("backup_deleted_bulk")) {
            return "POST";
        }
        if (action.endsWith("_updated")) {
            return "PUT";
        }
        if (action.endsWith("_deleted")) {
            return "DELETE";
        }
        return "GET";
    }

    /** Writes one event as its feature would: inside a request or not, as a success or a failure. */
    void write(AuditLog audit) {
        Kind k = table[r.nextInt(table.length)];
        boolean user = k.byUser() || (k.action().equals("backup_triggered") && r.nextInt(4) == 0)
                || (k.action().equals("backup_deleted") && r.nextInt(5) == 0);
        AuditEvent e = event(k);
        if (user) {
            String base = switch (e.resourceType()) {
                case "database" -> "/api/databases";
                case "engine" -> "/api/engines";
                case "policy" -> "/api/backup-policies";
                case "settings" -> "/api/settings";
                case "restore" -> "/api/restores";
                case "audit" -> "/api/audit/export";
                case "encryption_key" -> "/api/encryption-keys";
                default -> "/api/backups";
            };
            String path = e.resourceId() == null || base.endsWith("settings") ? base : base + "/" + e.resourceId();
            HttpServletRequest request = request(method(k.action()), path);
            if (sampleRequestId == null && written >= sampleAfter && k.action().equals("database_updated")) {
                sampleRequestId = (String) request.getAttribute("custos.requestId");
            }
            RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
            byUser++;
        }
        try {
            // Failures by nature, and 10% of what users ask for (a server that refuses, a bad value, a conflict).
            if (k.failed() || (user && !k.action().equals("backup_file_served") && r.nextInt(100) < 10)) {
                audit.failure(e, pick(ERRORS));
                failed++;
            } else {
                audit.success(e);
            }
        } finally {
            RequestContextHolder.resetRequestAttributes();
        }
        perAction.merge(k.action(), 1L, Long::sum);
        written++;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(argv));
            }
            a.put(argv[i].substring(2), argv[i + 1]);
        }
        String url = a.get("url");
        long events = Long.parseLong(a.getOrDefault("events", "1000000"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "1000"));
        long days = Long.parseLong(a.getOrDefault("days", "365"));
        long end = Long.parseLong(a.getOrDefault("end", String.valueOf(System.currentTimeMillis() - 60_000)));
        long start = end - days * 86_400_000L;
        boolean postgres = url.startsWith("jdbc:postgresql:");

        List<Integer> threadCounts = Arrays.stream(a.getOrDefault("threads", "1").trim().split("[ ,]+"))
                .map(Integer::valueOf).toList();
        HikariConfig config = new HikariConfig();
        config.setPoolName("audit-load");
        config.setMaximumPoolSize(threadCounts.stream().mapToInt(Integer::intValue).max().orElse(1));
        // The server's own SQLite settings (CatalogDataSource): WAL, synchronous=NORMAL, IMMEDIATE transactions.
        config.setJdbcUrl(postgres ? url : url + (url.contains("?") ? "&" : "?")
                + "journal_mode=WAL&synchronous=NORMAL&busy_timeout=30000&foreign_keys=true&transaction_mode=IMMEDIATE");
        if (postgres && a.get("user") != null && !a.get("user").isBlank()) {
            config.setUsername(a.get("user"));
        }
        if (postgres && a.get("password") != null && !a.get("password").isBlank()) {
            config.setPassword(a.get("password"));
        }
        try (HikariDataSource ds = new HikariDataSource(config)) {
            // Flyway with connections of its own (on PostgreSQL it holds two at once).
            Flyway.configure().dataSource(config.getJdbcUrl(), config.getUsername(), config.getPassword())
                    .locations("classpath:db/migration/" + (postgres ? "postgresql" : "sqlite")).load().migrate();
            if (a.containsKey("ingest-seconds")) {
                // The first run warms the JIT up for 10 s (a fresh JVM compiles for that long), the others for 2 s.
                long warmup = 10_000;
                for (int threads : threadCounts) {
                    ingest(ds, postgres, serverProperties(Path.of(a.get("key"))), threads,
                            Double.parseDouble(a.get("ingest-seconds")), warmup, Long.parseLong(a.getOrDefault("seed", "42")));
                    warmup = 2_000;
                }
                return;
            }
            AuditLoad load = new AuditLoad(Long.parseLong(a.getOrDefault("seed", "42")));
            load.sampleAfter = events / 2;
            AuditLog audit = AuditLog.forCatalog(ds, JsonMapper.builder().build(), load.clock,
                    serverProperties(Path.of(a.get("key"))));
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
            long batches = (events + batch - 1) / batch;
            long t0 = System.nanoTime();
            long written = 0;
            long reported = 0;
            for (long b = 0; b < batches; b++) {
                int n = (int) Math.min(batch, events - written);
                // Each transaction's events share the time it commits at; the times step evenly over the span, so a
                // day holds ~events/days of them and time filters select what they should.
                load.clock.now = start + (end - start) * (b + 1) / batches;
                tx.executeWithoutResult(s -> {
                    for (int i = 0; i < n; i++) {
                        load.write(audit);
                    }
                });
                written += n;
                if (written - reported >= 100_000 || written == events) {
                    reported = written;
                    double secs = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("loaded %d events in %.1f s: %.0f events/s%n", written, secs, written / secs);
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("load: %d events in %.1f s, %.0f events/s, transactions of %d; %.1f%% failed, %.1f%% by a request%n",
                    written, secs, written / secs, batch, 100.0 * load.failed / written, 100.0 * load.byUser / written);
            if (a.get("samples") != null) {
                load.samples(Path.of(a.get("samples")), start, end);
            }
            if (postgres) {
                // The CPU of the backend that served the load (on this machine): the bench counts it as the load's.
                try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    Path stat = Path.of("/proc/" + rs.getInt(1) + "/stat");
                    if (Files.isReadable(stat)) {
                        String text = Files.readString(stat);
                        String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
                        System.out.println("backend_ticks=" + (Long.parseLong(f[11]) + Long.parseLong(f[12])));
                    }
                }
            }
        }
    }

    /**
     * Durable ingest without HTTP: {@code threads} threads each append one event per transaction (committed before the
     * next), through the same AuditLog, for a warm-up and then {@code seconds}. Prints one line of key=value pairs:
     * events/s, commit latency percentiles, CPU per event of this process and of its PostgreSQL backends, bytes written
     * per event (SQLite: everything this process wrote, WAL and checkpoints; PostgreSQL: WAL generated by the whole
     * cluster), and the CPU the rest of the machine took meanwhile.
     */
    static void ingest(DataSource ds, boolean postgres, AuditProperties properties, int threads, double seconds,
            long warmupMillis, long seed) throws Exception {
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        long[][] latencies = new long[threads][];
        int[] counts = new int[threads];
        long warmupEnd = System.nanoTime() + warmupMillis * 1_000_000L;
        long end = warmupEnd + (long) (seconds * 1e9);
        long[] window = new long[4]; // busy ticks, process CPU ns, backend ticks at the start of the measured window
        List<Thread> workers = new ArrayList<>();
        java.util.concurrent.CountDownLatch warm = new java.util.concurrent.CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            AuditLoad gen = new AuditLoad(seed + 1 + t);
            AuditLog audit = AuditLog.forCatalog(ds, JsonMapper.builder().build(), gen.clock, properties);
            latencies[t] = new long[2_000_000];
            workers.add(new Thread(() -> {
                boolean counted = false;
                while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                        break;
                    }
                    if (!counted && t0 >= warmupEnd) {
                        counted = true;
                        warm.countDown();
                    }
                    gen.clock.now = System.currentTimeMillis();
                    tx.executeWithoutResult(st -> gen.write(audit));
                    if (counted && counts[id] < latencies[id].length) {
                        latencies[id][counts[id]++] = System.nanoTime() - t0;
                    }
                }
                if (!counted) {
                    warm.countDown();
                }
            }, "ingest-" + t));
        }
        workers.forEach(Thread::start);
        warm.await();
        window[0] = busyTicks();
        window[1] = processCpuNanos();
        List<Integer> backends = postgres ? backendPids(ds) : List.of();
        window[2] = ticks(backends);
        long written0 = postgres ? walBytes(ds) : selfWrittenBytes();
        long started = System.nanoTime();
        for (Thread w : workers) {
            w.join();
        }
        double secs = (System.nanoTime() - started) / 1e9;
        long cpu = processCpuNanos() - window[1];
        long backendTicks = ticks(backends) - window[2];
        long busy = busyTicks() - window[0];
        long written = (postgres ? walBytes(ds) : selfWrittenBytes()) - written0;
        long n = Arrays.stream(counts).sum();
        long[] all = new long[(int) n];
        int k = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(latencies[t], 0, all, k, counts[t]);
            k += counts[t];
        }
        Arrays.sort(all);
        long hz = 100; // USER_HZ, the unit of /proc/stat on Linux
        int cores = Runtime.getRuntime().availableProcessors();
        double others = Math.max(0, (busy / (double) hz - cpu / 1e9 - backendTicks / (double) hz) / (secs * cores) * 100);
        System.out.printf(java.util.Locale.ROOT, "direct threads=%d events=%d secs=%.2f rate=%.0f p50=%.2f p99=%.2f cpu_us=%.0f"
                        + " db_us=%s kb_per_event=%.1f others=%.0f%%%n", threads, n, secs, n / secs, pct(all, 0.50) / 1e6,
                pct(all, 0.99) / 1e6, n == 0 ? 0 : cpu / 1e3 / n,
                postgres ? String.format(java.util.Locale.ROOT, "%.0f", n == 0 ? 0 : backendTicks * 1e6 / hz / n) : "-",
                n == 0 ? 0 : written / 1024.0 / n, others);
    }

    /** Bytes this process wrote through write system calls so far (/proc/self/io wchar). */
    static long selfWrittenBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        return 0;
    }

    /** The position of the cluster's write-ahead log, in bytes. */
    static long walBytes(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long busyTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]) + Long.parseLong(f[8]);
    }

    static List<Integer> backendPids(DataSource ds) throws Exception {
        List<Integer> pids = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND backend_type = 'client backend'")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    static long ticks(List<Integer> pids) {
        long sum = 0;
        for (int pid : pids) {
            try {
                String text = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // a backend that is not on this machine, or gone: not counted
            }
        }
        return sum;
    }

    /** Filter values that exist in the trail, for the bench's queries. */
    void samples(Path file, long start, long end) throws IOException {
        Db db = dbs.get(0);
        for (Db d : dbs) { // an older database: it has a history of updates
            if (d.engine() != null && d.type().equals("postgresql")) {
                db = d;
                break;
            }
        }
        DateTimeFormatter day = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
        long middle = start + (end - start) / 2;
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("database_id=" + db.id());
            w.println("database_name=" + db.name());
            w.println("engine_id=" + (db.engine() == null ? engines.get(0).id() : db.engine().id()));
            w.println("request_id=" + sampleRequestId);
            w.println("start_date=" + day.format(Instant.ofEpochMilli(middle)));
            w.println("end_date=" + day.format(Instant.ofEpochMilli(middle + 6 * 86_400_000L)));
            w.println("start_time=" + Instant.ofEpochMilli(middle));
            w.println("end_time=" + Instant.ofEpochMilli(middle + 86_400_000L));
        }
    }

    /** The audit settings of the server's application.properties (compliance rules, checkpoints), with this key file. */
    static AuditProperties serverProperties(Path key) throws IOException {
        Properties p = new Properties();
        try (InputStream in = AuditLoad.class.getClassLoader().getResourceAsStream("application.properties")) {
            p.load(in);
        }
        AuditProperties.Compliance compliance = new AuditProperties.Compliance(
                List.of(p.getProperty("custos.audit.compliance.gdpr", "").split(",")),
                List.of(p.getProperty("custos.audit.compliance.sox", "").split(",")),
                List.of(p.getProperty("custos.audit.compliance.hipaa", "").split(",")));
        AuditProperties d = AuditProperties.defaults(key);
        return new AuditProperties(Integer.parseInt(p.getProperty("custos.audit.checkpoint-every", "1000")),
                d.checkpointInterval(), key, compliance, null, null, null, 0, null);
    }
}

package dev.custos.audit;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The classification of {@code 003_*} that every event gets when it is written: its {@code category}, its
 * {@code severity}, whether it exposed the data of a backed-up database, and the compliance flags an admin's rules
 * set ({@link AuditProperties.Compliance}).
 */
record Classification(String category, String severity, boolean sensitiveDataAccessed, boolean gdpr, boolean sox,
        boolean hipaa) {

    static final List<String> CATEGORIES = List.of("configuration", "backup", "restore", "access", "security", "system");
    static final List<String> SEVERITIES = List.of("info", "warning", "critical");

    /**
     * Reads that hand a database's contents to someone: a file, a link to it, or the data written into a database. A
     * restore or test restore that failed or was cancelled read the backup and may have written part of it.
     */
    private static final Set<String> SENSITIVE = Set.of("backup_downloaded", "backup_file_served", "restore_requested",
            "restore_started", "restore_completed", "restore_failed", "restore_cancelled", "test_restore_requested",
            "test_restore_started", "test_restore_completed", "test_restore_failed", "test_restore_cancelled",
            "audit_exported");

    /** A failure that means data may be lost or the trail cannot be trusted. */
    private static final Set<String> CRITICAL = Set.of("restore_failed", "test_restore_failed", "verification_failed",
            "audit_verification_failed", "audit_tampering_detected");

    /** Successful actions worth a second look: they destroyed something or overwrote a database. */
    private static final Set<String> WARNING = Set.of("restore_started", "restore_completed", "restore_cancelled",
            "backup_failed", "backup_cancelled", "encryption_key_rotated", "audit_purged");

    /** Classifies from the action and resource type, the status, and the admin's compliance patterns. */
    static final class Rules {

        private final List<Pattern> gdpr;
        private final List<Pattern> sox;
        private final List<Pattern> hipaa;

        Rules(AuditProperties.Compliance compliance) {
            this.gdpr = compile(compliance.gdpr());
            this.sox = compile(compliance.sox());
            this.hipaa = compile(compliance.hipaa());
        }

        Classification classify(String action, String resourceType, String status) {
            return new Classification(category(action, resourceType), severity(action, status),
                    SENSITIVE.contains(action), matches(gdpr, action), matches(sox, action), matches(hipaa, action));
        }

        private static String category(String action, String resourceType) {
            if (action.startsWith("restore_") || action.startsWith("test_restore_") || "restore".equals(resourceType)) {
                return "restore";
            }
            return switch (resourceType) {
                case "backup" -> "backup";
                case "engine", "database", "policy", "settings", "schedule", "storage" -> "configuration";
                case "encryption_key", "api_key", "audit" -> "security";
                case "user", "access_request", "session" -> "access";
                default -> "system";
            };
        }

        private static String severity(String action, String status) {
            if (CRITICAL.contains(action)) {
                return "critical";
            }
            if ("failed".equals(status) || WARNING.contains(action) || action.contains("deleted")
                    || action.equals("delete")) {
                return "warning";
            }
            return "info";
        }

        private static boolean matches(List<Pattern> patterns, String action) {
            for (Pattern p : patterns) {
                if (p.matcher(action).matches()) {
                    return true;
                }
            }
            return false;
        }

        private static List<Pattern> compile(List<String> globs) {
            return globs.stream().map(String::trim).filter(g -> !g.isEmpty())
                    .map(g -> Pattern.compile(Pattern.quote(g).replace("*", "\\E.*\\Q"))).toList();
        }
    }
}

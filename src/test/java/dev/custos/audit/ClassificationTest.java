package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** How events are classified: category and severity from the action, compliance flags from the admin's patterns. */
class ClassificationTest {

    private final Classification.Rules rules = new Classification.Rules(new AuditProperties.Compliance(
            List.of("backup_downloaded", "restore_*"), List.of("policy_*", "settings_updated"), List.of("*_downloaded")));

    @Test
    void aDownloadExposesDataAndIsFlaggedByThePatterns() {
        Classification c = rules.classify("backup_downloaded", "backup", "success");

        assertThat(c.category()).isEqualTo("backup");
        assertThat(c.severity()).isEqualTo("info");
        assertThat(c.sensitiveDataAccessed()).isTrue();
        assertThat(c.gdpr()).isTrue();
        assertThat(c.sox()).isFalse();
        assertThat(c.hipaa()).isTrue();
    }

    @Test
    void aFailedRestoreIsCriticalAndARestoreOverwritingDataAWarning() {
        assertThat(rules.classify("restore_failed", "restore", "failed").severity()).isEqualTo("critical");
        assertThat(rules.classify("restore_completed", "restore", "success").severity()).isEqualTo("warning");
        assertThat(rules.classify("restore_completed", "restore", "success").category()).isEqualTo("restore");
        assertThat(rules.classify("test_restore_failed", "restore", "failed").severity()).isEqualTo("critical");
    }

    @Test
    void everyRestoreThatReadsTheBackupIntoADatabaseExposesDataAndAChecksumVerificationDoesNot() {
        for (String action : List.of("restore_requested", "restore_started", "restore_completed", "restore_failed",
                "restore_cancelled", "test_restore_requested", "test_restore_started", "test_restore_completed",
                "test_restore_failed", "test_restore_cancelled")) {
            assertThat(rules.classify(action, "restore", "success").sensitiveDataAccessed()).as(action).isTrue();
        }
        for (String action : List.of("verification_requested", "verification_completed", "verification_failed",
                "restore_cancel_requested")) {
            assertThat(rules.classify(action, "restore", "success").sensitiveDataAccessed()).as(action).isFalse();
        }
    }

    @Test
    void deletionsAndFailuresAreWarnings() {
        assertThat(rules.classify("database_deleted", "database", "success").severity()).isEqualTo("warning");
        assertThat(rules.classify("backup_deleted_bulk", "backup", "success").severity()).isEqualTo("warning");
        assertThat(rules.classify("backup_triggered", "backup", "failed").severity()).isEqualTo("warning");
        assertThat(rules.classify("policy_created", "policy", "success").severity()).isEqualTo("info");
    }

    @Test
    void categoriesFollowTheResource() {
        assertThat(rules.classify("engine_created", "engine", "success").category()).isEqualTo("configuration");
        assertThat(rules.classify("settings_updated", "settings", "success").category()).isEqualTo("configuration");
        assertThat(rules.classify("encryption_key_rotated", "encryption_key", "success").category()).isEqualTo("security");
        assertThat(rules.classify("audit_exported", "audit", "success").category()).isEqualTo("security");
        assertThat(rules.classify("backup_history_rebuilt", "catalog", "success").category()).isEqualTo("system");
    }

    @Test
    void aPatternMatchesTheWholeActionAndTreatsOtherCharactersLiterally() {
        Classification.Rules dotted = new Classification.Rules(
                new AuditProperties.Compliance(List.of("backup.deleted"), List.of("policy_"), List.of()));

        assertThat(dotted.classify("backupXdeleted", "backup", "success").gdpr()).isFalse();
        assertThat(dotted.classify("backup.deleted", "backup", "success").gdpr()).isTrue();
        assertThat(dotted.classify("policy_created", "policy", "success").sox()).isFalse();
    }
}

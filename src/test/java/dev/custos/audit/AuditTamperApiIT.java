package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * As a user would find it: a row edited by hand in the catalog is caught by {@code GET /api/audit/verify}, which names
 * it and records a critical event, and by the offline verifier on an export. A service of its own, since it damages
 * its catalog's trail.
 */
class AuditTamperApiIT extends ApiTest {

    private static final Path OWN_DIR = ownDir();

    @Autowired
    private JdbcClient catalog;

    @DynamicPropertySource
    static void ownService(DynamicPropertyRegistry registry) {
        registry.add("custos.catalog.url", () -> "jdbc:sqlite:" + OWN_DIR.resolve("custos.db"));
        registry.add("custos.storage.local.path", () -> OWN_DIR.resolve("backups").toString());
    }

    @Test
    void aRowEditedByHandIsNamedByVerifyAndByTheOfflineVerifier() throws IOException {
        String name = unique("Tampered");
        Api.Response created = api.post("/api/backup-policies", Api.json("name", name));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("policy").path("id").asString();
        assertThat(api.put("/api/backup-policies/" + id, Api.json("name", name + " renamed")).status()).isEqualTo(200);
        assertThat(api.get("/api/audit/verify").json().path("valid").asBoolean()).isTrue();
        long sequence = api.get("/api/audit?action=policy_created&resource_id=" + id).json()
                .path("logs").path(0).path("sequence").asLong();

        catalog.sql("UPDATE audit_events SET resource_name = 'Someone else' WHERE sequence = ?").param(sequence).update();
        Api.Response verify = api.get("/api/audit/verify");
        String export = api.get("/api/audit/export?format=jsonl").text();

        assertThat(verify.json().path("valid").asBoolean()).isFalse();
        assertThat(verify.json().path("first_bad_sequence").asLong()).isEqualTo(sequence);
        assertThat(verify.json().path("problem").asString()).contains("event " + sequence);
        JsonNode alarm = api.get("/api/audit?action=audit_verification_failed&limit=1").json().path("logs").path(0);
        assertThat(alarm.path("severity").asString()).isEqualTo("critical");
        assertThat(alarm.path("status").asString()).isEqualTo("failed");
        assertThat(alarm.path("details").path("first_bad_sequence").asLong()).isEqualTo(sequence);
        PublicKeys.Key key = PublicKeys.parsePem(api.get("/api/audit/public-key").json().path("public_key_pem").asString());
        ExportVerifier.Result offline = ExportVerifier.verify(new BufferedReader(new StringReader(export)), key);
        assertThat(offline.valid()).isFalse();
        assertThat(offline.firstBadSequence()).isEqualTo(sequence);
    }

    private static Path ownDir() {
        try {
            return Files.createTempDirectory("custos-audit-tamper");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

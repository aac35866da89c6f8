package dev.custos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import dev.custos.engines.AuditTrail;
import dev.custos.storage.StorageBackend;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/** {@code /api/encryption-keys} and the keys behind it, in the running service on its SQLite catalog. */
class EncryptionKeysIT extends ApiTest {

    @Autowired
    EncryptionKeys keys;
    @Autowired
    ArtifactPipeline pipeline;
    @Autowired
    StorageBackend storage;
    @Autowired
    JdbcClient catalog;

    private Artifact<String> backup(String name) throws IOException {
        return pipeline.store(storage, "postgresql/" + unique("db") + "/" + name + ".dump.zst", CompressionSpec.DEFAULT,
                true, TestDumps.of(3L * 1024 * 1024, 11), null);
    }

    private String readBack(Artifact<?> artifact) throws IOException {
        try (InputStream in = pipeline.open(storage, ArtifactPipelineTest.manifest(artifact, CompressionSpec.DEFAULT))) {
            return TestDumps.sha256(in);
        }
    }

    @Test
    void rotateAnswers201WithTheNewAndTheRetiredKey() {
        String before = keys.activeKeyId();

        Api.Response r = api.post("/api/encryption-keys/rotate", null);

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode body = r.json();
        assertThat(fieldNames(body)).containsExactly("message", "key_id", "retired_key_id");
        String now = body.path("key_id").asString();
        assertThat(now).startsWith("key-").isNotEqualTo(before);
        assertThat(body.path("retired_key_id").asString()).isEqualTo(before);
        assertThat(body.path("message").asString()).contains(now);
        assertThat(keys.activeKeyId()).isEqualTo(now);
    }

    @Test
    void theListShowsEveryKeyWithoutMaterialAndOneActive() {
        keys.activeKeyId();
        api.post("/api/encryption-keys/rotate", null);

        Api.Response r = api.get("/api/encryption-keys");

        assertThat(r.status()).isEqualTo(200);
        JsonNode list = r.json().path("keys");
        assertThat(r.json().path("count").asInt()).isEqualTo(list.size()).isGreaterThanOrEqualTo(2);
        List<String> timestamps = new ArrayList<>();
        int active = 0;
        for (JsonNode key : list) {
            assertThat(fieldNames(key)).containsExactly("id", "active", "created_at", "retired_at");
            timestamps.add(key.path("created_at").asString());
            assertThat(key.path("created_at").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            if (key.path("active").asBoolean()) {
                active++;
                assertThat(key.path("retired_at").isNull()).isTrue();
            } else {
                assertThat(key.path("retired_at").asString()).matches("\\d{4}-.*\\.\\d{3}Z");
            }
        }
        assertThat(active).isEqualTo(1);
        assertThat(timestamps).as("newest first").isSortedAccordingTo((a, b) -> b.compareTo(a));
    }

    @Test
    void aRotationIsAuditedWithTheRetiredKey() {
        String before = keys.activeKeyId();

        String now = api.post("/api/encryption-keys/rotate", null).json().path("key_id").asString();

        List<AuditTrail.Event> events = new AuditTrail(catalog).events(now, "encryption_key_rotated");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.resourceType()).isEqualTo("encryption_key");
            assertThat(e.status()).isEqualTo("success");
            assertThat(e.details().path("retired_key_id").asString()).isEqualTo(before);
            assertThat(e.after().path("id").asString()).isEqualTo(now);
            assertThat(e.columns().get("http_path")).isEqualTo("/api/encryption-keys/rotate");
        });
    }

    @Test
    void backupsMadeBeforeARotationStayReadable() throws Exception {
        Artifact<String> old = backup("before");
        api.post("/api/encryption-keys/rotate", null);
        Artifact<String> fresh = backup("after");

        assertThat(fresh.encryptionKeyId()).isNotEqualTo(old.encryptionKeyId());
        assertThat(readBack(old)).isEqualTo(old.dump());
        assertThat(readBack(fresh)).isEqualTo(fresh.dump());
        assertThat(keys.list()).filteredOn(k -> k.id().equals(old.encryptionKeyId()))
                .singleElement().satisfies(k -> assertThat(k.active()).isFalse());
    }

    @Test
    void keyMaterialIsNeverAnsweredNorStoredInClear() throws Exception {
        api.post("/api/encryption-keys/rotate", null);
        List<String> secrets = new ArrayList<>();
        for (EncryptionKey k : keys.list()) {
            String sealed = catalog.sql("SELECT keyset FROM encryption_keys WHERE id = ?").param(k.id())
                    .query(String.class).single();
            assertThat(sealed).startsWith("v1:");
            KeysetHandle keyset = keys.unseal(k.id(), sealed);
            byte[] clear = TinkProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
            byte[] material = ((AesGcmHkdfStreamingKey) keyset.getPrimary().getKey()).getInitialKeyMaterial()
                    .toByteArray(InsecureSecretKeyAccess.get());
            for (byte[] secret : List.of(clear, material)) {
                secrets.add(Base64.getEncoder().encodeToString(secret));
                secrets.add(Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
                secrets.add(HexFormat.of().formatHex(secret));
            }
        }

        String answers = api.get("/api/encryption-keys").text() + api.post("/api/encryption-keys/rotate", null).text();
        String stored = catalog.sql("SELECT * FROM encryption_keys").query().listOfRows().toString()
                + catalog.sql("SELECT * FROM audit_events WHERE resource_type = 'encryption_key'").query().listOfRows();

        assertThat(answers).doesNotContain(secrets);
        assertThat(stored).doesNotContain(secrets);
        assertThat(answers).doesNotContain("keyset", "material");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}

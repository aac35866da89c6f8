package dev.custos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.custos.storage.LocalStorageBackend;
import dev.custos.storage.NoSuchObjectException;
import dev.custos.storage.ObjectExistsException;

class ManifestCodecTest {

    @TempDir
    Path dir;

    private final ManifestCodec codec = new ManifestCodec();

    private static final Manifest FULL = new Manifest(1, "postgresql/db-abc/20240115_120000.dump.zst", "backup-xyz",
            "db-abc", "shop", "Shop (prod)", "postgresql", "15.4", "pg_dump", "16.2", "custom", "zstd", 3,
            "key-k1", 123_456_789L, 40_000_000L, "a".repeat(64), Instant.parse("2024-01-15T12:00:00.001Z"),
            Instant.parse("2024-01-15T12:03:21.500Z"), List.of("table t1 is MyISAM: not snapshot-consistent"));

    @Test
    void aManifestRoundTripsThroughStorageBesideItsObject() throws IOException {
        LocalStorageBackend storage = new LocalStorageBackend(dir);

        codec.write(storage, FULL);

        assertThat(dir.resolve("postgresql/db-abc/20240115_120000.dump.zst.manifest.json")).isRegularFile();
        assertThat(codec.read(storage, FULL.objectKey())).isEqualTo(FULL);
    }

    @Test
    void itIsPrettySnakeCaseJsonWithMillisecondTimes() {
        String text = new String(codec.toJson(FULL), StandardCharsets.UTF_8);

        assertThat(text).startsWith("{\n").endsWith("}\n")
                .contains("\"format_version\" : 1", "\"object_key\" : \"postgresql/db-abc/20240115_120000.dump.zst\"",
                        "\"encryption_key_id\" : \"key-k1\"", "\"raw_bytes\" : 123456789", "\"stored_bytes\" : 40000000",
                        "\"compression_level\" : 3", "\"started_at\" : \"2024-01-15T12:00:00.001Z\"",
                        "\"completed_at\" : \"2024-01-15T12:03:21.500Z\"", "\"tool_version\" : \"16.2\"")
                .doesNotContain("formatVersion", "objectKey");
    }

    @Test
    void anUnencryptedManifestSaysSoWithNull() throws IOException {
        Manifest plain = new Manifest(1, "k", null, null, null, null, null, null, null, null, null, "none", 0, null, 0,
                0, "b".repeat(64), Instant.EPOCH, Instant.EPOCH, List.of());

        String text = new String(codec.toJson(plain), StandardCharsets.UTF_8);

        assertThat(text).contains("\"encryption_key_id\" : null", "\"started_at\" : \"1970-01-01T00:00:00.000Z\"");
        assertThat(codec.fromJson("k", codec.toJson(plain))).isEqualTo(plain);
    }

    @Test
    void theSealedKeysetAndTheFingerprintTravelInTheManifest() throws IOException {
        Manifest carrying = new Manifest(1, "k", null, null, null, null, null, null, null, null, null, "zstd", 3,
                "key-1", 10, 10, "c".repeat(64), Instant.EPOCH, Instant.EPOCH, List.of(), "sealed-keyset-text",
                codec.tree("{\"kind\":\"postgresql\",\"tables\":{\"public.t\":{\"rows\":2,\"content_hash\":\"ab\"}}}"));

        Manifest read = codec.fromJson("k", codec.toJson(carrying));

        assertThat(read).isEqualTo(carrying);
        assertThat(read.encryptionKeyset()).isEqualTo("sealed-keyset-text");
        assertThat(read.fingerprint().get("tables").get("public.t").get("rows").asLong()).isEqualTo(2);
    }

    @Test
    void fieldsOfANewerVersionAreIgnored() throws IOException {
        String newer = new String(codec.toJson(FULL), StandardCharsets.UTF_8)
                .replace("\"format_version\" : 1,", "\"format_version\" : 2, \"signature\" : {\"alg\": \"ed25519\"},"
                        + " \"parts\" : [1, 2],");

        Manifest read = codec.fromJson("m", newer.getBytes(StandardCharsets.UTF_8));

        assertThat(read.formatVersion()).isEqualTo(2);
        assertThat(read.sha256()).isEqualTo(FULL.sha256());
        assertThat(read.warnings()).isEqualTo(FULL.warnings());
    }

    @Test
    void aManifestIsWrittenOnce() throws IOException {
        LocalStorageBackend storage = new LocalStorageBackend(dir);
        codec.write(storage, FULL);

        assertThatThrownBy(() -> codec.write(storage, FULL)).isInstanceOf(ObjectExistsException.class);
    }

    @Test
    void aMissingBrokenOrHugeManifestSaysSo() throws IOException {
        LocalStorageBackend storage = new LocalStorageBackend(dir);
        assertThatThrownBy(() -> codec.read(storage, "none")).isInstanceOf(NoSuchObjectException.class);

        Files.writeString(dir.resolve("broken.manifest.json"), "{\"format_version\": 1, \"object_key\": ");
        assertThatThrownBy(() -> codec.read(storage, "broken")).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("'broken.manifest.json' is not valid");

        Files.writeString(dir.resolve("empty.manifest.json"), "{}");
        assertThatThrownBy(() -> codec.read(storage, "empty")).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("lacks format_version");

        Files.writeString(dir.resolve("huge.manifest.json"), " ".repeat(ManifestCodec.MAX_BYTES + 1));
        assertThatThrownBy(() -> codec.read(storage, "huge")).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("not a manifest");
    }
}

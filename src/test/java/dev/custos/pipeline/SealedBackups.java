package dev.custos.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import tools.jackson.databind.JsonNode;

import dev.custos.catalog.SecretBox;
import dev.custos.storage.StorageBackend;

/**
 * Backups as Custos stores them, without a Custos: a master key in a file, one encryption key sealed under it as the
 * catalog seals it, objects written by the real pipeline with their manifests beside them (carrying the sealed key).
 * For the tests of what reads backups without a catalog.
 */
public final class SealedBackups {

    private final Path masterKeyFile;
    private final String keyId;
    private final String sealedKeyset;
    private final ArtifactPipeline pipeline;
    private final ManifestCodec manifests = new ManifestCodec();

    private SealedBackups(Path masterKeyFile, String keyId, String sealedKeyset, StreamingAead aead) {
        this.masterKeyFile = masterKeyFile;
        this.keyId = keyId;
        this.sealedKeyset = sealedKeyset;
        this.pipeline = new ArtifactPipeline(new KeyRing() {
            @Override
            public String activeKeyId() {
                return keyId;
            }

            @Override
            public Optional<StreamingAead> streamingAead(String id) {
                return id.equals(keyId) ? Optional.of(aead) : Optional.empty();
            }

            @Override
            public Optional<String> sealedKeyset(String id) {
                return id.equals(keyId) ? Optional.of(sealedKeyset) : Optional.empty();
            }
        });
    }

    /** A new master key, written to {@code masterKeyFile} as Custos writes it, and a key sealed under it. */
    public static SealedBackups withNewMasterKey(Path masterKeyFile) throws IOException {
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);
        Files.createDirectories(masterKeyFile.toAbsolutePath().getParent());
        Files.writeString(masterKeyFile, Base64.getEncoder().encodeToString(master) + "\n");
        SecretBox box = SecretBox.withExistingKey(null, masterKeyFile);
        String keyId = "key-test" + Long.toString(System.nanoTime(), 36);
        try {
            KeysetHandle keyset = EncryptionKeys.generate();
            String sealed = box.encrypt(Base64.getEncoder().encodeToString(
                    TinkProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get())), keyId);
            return new SealedBackups(masterKeyFile, keyId, sealed, EncryptionKeys.primitive(keyset));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path masterKeyFile() {
        return masterKeyFile;
    }

    public String keyId() {
        return keyId;
    }

    public String sealedKeyset() {
        return sealedKeyset;
    }

    /** Stores a PostgreSQL backup's {@code dump} under {@code key} and its manifest beside it; returns the manifest. */
    public Manifest store(StorageBackend storage, String key, byte[] dump, CompressionSpec compression, boolean encrypt,
            JsonNode fingerprint) throws IOException {
        return store(storage, key, dump, compression, encrypt, fingerprint, "postgresql");
    }

    public Manifest store(StorageBackend storage, String key, byte[] dump, CompressionSpec compression, boolean encrypt,
            JsonNode fingerprint, String engineType) throws IOException {
        Instant started = Instant.parse("2024-01-15T02:00:00.000Z");
        Artifact<Void> artifact = pipeline.store(storage, key, compression, encrypt, out -> {
            out.write(dump);
            return null;
        }, null);
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, key, "backup-" + Long.toString(System.nanoTime(), 36),
                "db-test", "shop", "Shop", engineType, "15.8", "pg_dump", "15.8", "dump." + compression.algorithm().extension()
                        + (encrypt ? ".enc" : ""), compression.algorithm().value(), compression.level(),
                artifact.encryptionKeyId(), artifact.rawBytes(), artifact.storedBytes(), artifact.sha256(), started,
                started.plusSeconds(42), List.of("a warning"), encrypt ? sealedKeyset : null, fingerprint);
        manifests.write(storage, manifest);
        return manifest;
    }
}

package dev.custos.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.function.Supplier;

import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.SecretBox;
import dev.custos.pipeline.ArtifactPipeline;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.pipeline.KeyRing;
import dev.custos.pipeline.Manifest;
import dev.custos.pipeline.ManifestCodec;
import dev.custos.pipeline.SealedKeys;
import dev.custos.pipeline.Verification;
import dev.custos.storage.LocalStorageBackend;

/**
 * One backup object as a file, wherever it was copied, with its manifest: read through the server's own pipeline
 * (a store rooted at the file's folder), so it is decrypted, decompressed and checked exactly as a restore by the
 * server would. Its key comes from the manifest, opened with the master key.
 */
final class BackupFile {

    private final Path object;
    private final Manifest manifest;
    private final LocalStorageBackend folder;
    private final String name;
    private final ArtifactPipeline pipeline;

    private BackupFile(Path object, Manifest manifest, KeyRing keys) {
        this.object = object;
        this.manifest = manifest.withObjectKey(object.getFileName().toString());
        this.folder = new LocalStorageBackend(object.getParent());
        this.name = object.getFileName().toString();
        this.pipeline = new ArtifactPipeline(keys);
    }

    /**
     * Reads the manifest ({@code OBJECT.manifest.json} unless given) and, for an encrypted object, opens its key with
     * the master key: from {@code masterKeyFile} when given, else as the server finds it ({@code CUSTOS_MASTER_KEY},
     * else the master key file of the data directory, {@code ./data/master.key} by default).
     */
    static BackupFile open(Path object, Path manifestFile, Path masterKeyFile, Supplier<CustosProperties> settings)
            throws IOException {
        Path real;
        try {
            // The store below refuses links; a link given by the user is what they mean.
            real = object.toRealPath();
        } catch (NoSuchFileException e) {
            throw new Failure("No such file: " + object);
        }
        if (!Files.isRegularFile(real)) {
            throw new Failure(object + " is not a file");
        }
        Path manifestPath = manifestFile != null ? manifestFile : Path.of(object + Manifest.SUFFIX);
        if (!Files.isRegularFile(manifestPath)) {
            throw new Failure("No manifest at " + manifestPath + ": it is stored beside each backup as <file>"
                    + Manifest.SUFFIX + "; give its path with --manifest");
        }
        Manifest manifest = new ManifestCodec().read(manifestPath);
        String keyId = manifest.encryptionKeyId();
        if (keyId == null) {
            return new BackupFile(real, manifest, new SealedKeys(null, Map.of()));
        }
        if (manifest.encryptionKeyset() == null) {
            throw new Failure("The backup is encrypted with key '" + keyId + "', but its manifest does not carry the"
                    + " key (it was written by an older Custos): restore it through a Custos whose catalog has the key");
        }
        SecretBox masterKey = masterKey(masterKeyFile, settings);
        SealedKeys keys = new SealedKeys(masterKey, Map.of(keyId, manifest.encryptionKeyset()));
        try {
            keys.streamingAead(keyId);
        } catch (GeneralSecurityException e) {
            throw new Failure("The master key does not open the backup's key '" + keyId + "': it is not the master"
                    + " key this backup was made with (" + e.getMessage() + ")");
        }
        return new BackupFile(real, manifest, keys);
    }

    private static SecretBox masterKey(Path masterKeyFile, Supplier<CustosProperties> settings) {
        try {
            if (masterKeyFile != null) {
                return SecretBox.withExistingKey(null, masterKeyFile);
            }
            CustosProperties custos = settings.get();
            return SecretBox.withExistingKey(custos.masterKey(), custos.masterKeyFile());
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new Failure(e.getMessage() + ". The backup is encrypted: give the master key with --master-key-file"
                    + " or CUSTOS_MASTER_KEY");
        }
    }

    Path path() {
        return object;
    }

    Manifest manifest() {
        return manifest;
    }

    /**
     * The dump, decrypted and decompressed; its size and SHA-256 are checked when it is read to the end, where an
     * {@link dev.custos.pipeline.IntegrityException} is thrown if they differ. Nothing read is trustworthy before.
     */
    InputStream decoded() throws IOException {
        return pipeline.open(folder, name, manifest.storedBytes(), manifest.sha256(),
                CompressionSpec.Algorithm.fromValue(manifest.compression()), manifest.encryptionKeyId());
    }

    /** Reads the whole file and says whether it is intact, without writing anything anywhere. */
    Verification verify() throws IOException {
        return pipeline.verify(folder, manifest);
    }
}

package dev.custos.pipeline;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * The JSON stored beside every backup object (at {@code <object key>.manifest.json}): enough to restore from storage
 * alone, with no catalog. Written as snake_case JSON by {@link ManifestCodec}.
 *
 * <p>{@code encryptionKeyset} is the object's key, sealed under the master key exactly as the catalog keeps it, so
 * the master key file and the storage folder are enough to decrypt after the catalog is lost. {@code fingerprint} is
 * the source database's fingerprint taken with the dump (the connectors' format), null when none was taken.
 */
public record Manifest(
        int formatVersion,
        String objectKey,
        String backupId,
        String databaseId,
        String databaseName,
        String databaseAlias,
        String engineType,
        String serverVersion,
        String tool,
        String toolVersion,
        String fileFormat,
        String compression,
        int compressionLevel,
        String encryptionKeyId,
        long rawBytes,
        long storedBytes,
        String sha256,
        Instant startedAt,
        Instant completedAt,
        List<String> warnings,
        String encryptionKeyset,
        JsonNode fingerprint) {

    public static final int FORMAT_VERSION = 1;

    public Manifest {
        // JSON's null reads back as a null node; a manifest without a fingerprint holds plain null either way.
        if (fingerprint != null && fingerprint.isNull()) {
            fingerprint = null;
        }
    }

    /** A manifest with neither a sealed keyset nor a fingerprint. */
    public Manifest(int formatVersion, String objectKey, String backupId, String databaseId, String databaseName,
            String databaseAlias, String engineType, String serverVersion, String tool, String toolVersion,
            String fileFormat, String compression, int compressionLevel, String encryptionKeyId, long rawBytes,
            long storedBytes, String sha256, Instant startedAt, Instant completedAt, List<String> warnings) {
        this(formatVersion, objectKey, backupId, databaseId, databaseName, databaseAlias, engineType, serverVersion,
                tool, toolVersion, fileFormat, compression, compressionLevel, encryptionKeyId, rawBytes, storedBytes,
                sha256, startedAt, completedAt, warnings, null, null);
    }

    public static final String SUFFIX = ".manifest.json";

    /** The same backup found under another name: copied elsewhere, or its storage moved. */
    public Manifest withObjectKey(String key) {
        return new Manifest(formatVersion, key, backupId, databaseId, databaseName, databaseAlias, engineType,
                serverVersion, tool, toolVersion, fileFormat, compression, compressionLevel, encryptionKeyId, rawBytes,
                storedBytes, sha256, startedAt, completedAt, warnings, encryptionKeyset, fingerprint);
    }

    public static String keyFor(String objectKey) {
        return objectKey + SUFFIX;
    }
}

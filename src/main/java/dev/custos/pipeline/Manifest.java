package dev.custos.pipeline;

import java.time.Instant;
import java.util.List;

/**
 * The JSON stored beside every backup object (at {@code <object key>.manifest.json}): enough to restore from storage
 * alone, with no catalog. Written as snake_case JSON by {@link ManifestCodec}.
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
        List<String> warnings) {

    public static final int FORMAT_VERSION = 1;
    public static final String SUFFIX = ".manifest.json";

    public static String keyFor(String objectKey) {
        return objectKey + SUFFIX;
    }
}

package dev.custos.pipeline;

import dev.custos.storage.StoredObject;

/**
 * A stored backup object as the pipeline wrote it.
 *
 * @param rawBytes        bytes the dump produced, before compression
 * @param storedBytes     bytes in storage (compressed, encrypted): the object's size
 * @param sha256          lower-case hex SHA-256 of the stored bytes
 * @param encryptionKeyId id of the key that encrypted it, null when not encrypted
 * @param dump            what the dump writer returned
 */
public record Artifact<T>(StoredObject object, long rawBytes, long storedBytes, String sha256, String encryptionKeyId, T dump) {
}

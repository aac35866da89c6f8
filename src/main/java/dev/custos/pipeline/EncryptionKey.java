package dev.custos.pipeline;

import java.time.Instant;

/** What anyone may see of an encryption key: never its material. */
public record EncryptionKey(String id, boolean active, Instant createdAt, Instant retiredAt) {
}

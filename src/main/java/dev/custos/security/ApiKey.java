package dev.custos.security;

import java.time.Instant;
import java.util.List;

/**
 * An API key as the API shows it: never its secret, which is shown once when the key is made and kept only as a
 * hash. {@code prefix} is the secret's first characters, enough to tell keys apart in a list or a leaked log.
 *
 * @param status {@code active}, {@code expired} or {@code revoked}
 */
public record ApiKey(String id, String name, String prefix, List<String> scopes, String ownerId, String ownerUsername,
        Instant createdAt, Instant expiresAt, Instant revokedAt, String revokedBy, String replacedBy, Instant lastUsedAt,
        String lastUsedIp, String status) {
}

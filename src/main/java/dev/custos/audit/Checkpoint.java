package dev.custos.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.custos.catalog.Timestamps;

/**
 * A signed statement that the chain's event {@code sequence} has hash {@code hash}: whoever holds the public key can
 * check every event up to it without trusting the catalog.
 */
public record Checkpoint(long sequence, String hash, long createdAt, String keyId, String signature) {

    /** The bytes that are signed: a domain tag, the sequence, the hash and the time, one per line. */
    public static byte[] message(long sequence, String hash, long createdAt) {
        return ("custos-audit-checkpoint-v1\n" + sequence + "\n" + hash + "\n" + createdAt)
                .getBytes(StandardCharsets.UTF_8);
    }

    public boolean signedBy(PublicKeys.Key key) {
        return key.keyId().equals(keyId) && key.verifies(message(sequence, hash, createdAt), signature);
    }

    public Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", sequence);
        m.put("hash", hash);
        m.put("created_at", Timestamps.format(Instant.ofEpochMilli(createdAt)));
        m.put("created_at_ms", createdAt);
        m.put("key_id", keyId);
        m.put("signature", signature);
        return m;
    }
}

package dev.custos.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signed last line of a JSONL export: how many events it holds, their first and last sequence, a SHA-256 over
 * their hashes in order, and whether the export was filtered. Signed with the audit key like a checkpoint.
 */
record ExportSeal(boolean filtered, long events, Long firstSequence, Long lastSequence, String digest, String keyId,
        String signature) {

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void add(MessageDigest digest, String eventHash) {
        digest.update(eventHash.getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) '\n');
    }

    /** Adds an archived event's place in the chain to the digest an {@code audit_archived} event records. */
    static void addLink(MessageDigest digest, long sequence, String hash) {
        digest.update((sequence + ":" + hash + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    static byte[] message(boolean filtered, long events, Long first, Long last, String digest) {
        return ("custos-audit-export-v1\n" + filtered + "\n" + events + "\n" + first + "\n" + last + "\n" + digest)
                .getBytes(StandardCharsets.UTF_8);
    }

    boolean signedBy(PublicKeys.Key key) {
        return key.keyId().equals(keyId)
                && key.verifies(message(filtered, events, firstSequence, lastSequence, digest), signature);
    }

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("filtered", filtered);
        m.put("events", events);
        m.put("first_sequence", firstSequence);
        m.put("last_sequence", lastSequence);
        m.put("digest", digest);
        m.put("key_id", keyId);
        m.put("signature", signature);
        return m;
    }

    static ExportSeal fromView(Map<?, ?> m) {
        return new ExportSeal(Boolean.TRUE.equals(m.get("filtered")), ((Number) m.get("events")).longValue(),
                m.get("first_sequence") == null ? null : ((Number) m.get("first_sequence")).longValue(),
                m.get("last_sequence") == null ? null : ((Number) m.get("last_sequence")).longValue(),
                (String) m.get("digest"), (String) m.get("key_id"), (String) m.get("signature"));
    }
}

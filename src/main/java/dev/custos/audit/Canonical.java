package dev.custos.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical encoding that the hash chain is computed over, and the chain's hash function. An event is encoded as
 * JSON with the keys of every object sorted, no white space and every field present (null when empty), so the server,
 * an export and the offline verifier all derive the same bytes from the same event, whatever order its fields were
 * read in. Values are those of {@link AuditRecord#fields()}: strings, numbers, booleans, and JSON trees already
 * redacted.
 */
public final class Canonical {

    /** The hash before the first event of a chain that was never purged. */
    public static final String GENESIS = "0".repeat(64);

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] DOMAIN = "custos-audit-v1\n".getBytes(StandardCharsets.UTF_8);

    private Canonical() {
    }

    /** The canonical JSON of a value: maps with sorted keys at every depth. */
    public static String json(Object value) {
        return JSON.writeValueAsString(sorted(value));
    }

    /** Parses stored or exported JSON into maps, lists and scalars, the form {@link #json} encodes. */
    public static Object parse(String text) {
        return text == null ? null : JSON.readValue(text, Object.class);
    }

    /** The hash of an event: SHA-256 over a domain tag, the previous event's hash and the event's canonical JSON. */
    public static String chain(String previousHash, Map<String, Object> hashedFields) {
        return chain(previousHash, json(hashedFields).getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #chain(String, Map)} over the event's canonical JSON already encoded (which does not depend on the chain). */
    public static String chain(String previousHash, byte[] canonicalJson) {
        MessageDigest sha = sha256();
        sha.update(DOMAIN);
        sha.update(previousHash.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
        sha.update(canonicalJson);
        return HexFormat.of().formatHex(sha.digest());
    }

    private static Object sorted(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(sorted(item));
            }
            return out;
        }
        return value;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

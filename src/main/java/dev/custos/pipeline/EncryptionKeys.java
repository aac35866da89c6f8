package dev.custos.pipeline;

import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.Ids;
import dev.custos.catalog.SecretBox;
import dev.custos.catalog.Timestamps;

/**
 * Backup encryption keys in the catalog's {@code encryption_keys} table: one Tink keyset each (streaming AEAD,
 * AES-256-GCM-HKDF, 1 MB segments), sealed by the master key with the key's id as associated data, so a sealed
 * keyset copied to another row does not open. One key is active for new backups; rotation retires it, and retired
 * keys stay to read the backups they encrypted. The first key is made on first use.
 */
@Component
public class EncryptionKeys implements KeyRing {

    static {
        try {
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final JdbcClient jdbc;
    private final SecretBox secrets;
    private final AuditLog audit;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final boolean postgres;
    /** Unwrapped keys by id. A key's material never changes, so an entry is never stale. */
    private final ConcurrentMap<String, StreamingAead> unwrapped = new ConcurrentHashMap<>();

    EncryptionKeys(JdbcClient jdbc, SecretBox secrets, AuditLog audit, Clock clock,
            PlatformTransactionManager transactions, CustosProperties properties) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.audit = audit;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
        this.postgres = properties.catalog().isPostgres();
    }

    /** A new keyset for streaming encryption. */
    static KeysetHandle generate() throws GeneralSecurityException {
        return KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
    }

    static StreamingAead primitive(KeysetHandle keyset) throws GeneralSecurityException {
        return keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
    }

    public record Rotation(String keyId, String retiredKeyId) {
    }

    @Override
    public String activeKeyId() {
        return active().orElseGet(this::createFirst);
    }

    @Override
    public Optional<String> sealedKeyset(String keyId) {
        return jdbc.sql("SELECT keyset FROM encryption_keys WHERE id = ?").param(keyId).query(String.class).optional();
    }

    @Override
    public Optional<StreamingAead> streamingAead(String keyId) throws GeneralSecurityException {
        StreamingAead known = unwrapped.get(keyId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> sealed = sealedKeyset(keyId);
        if (sealed.isEmpty()) {
            return Optional.empty();
        }
        StreamingAead aead = primitive(unseal(keyId, sealed.get()));
        StreamingAead raced = unwrapped.putIfAbsent(keyId, aead);
        return Optional.of(raced == null ? aead : raced);
    }

    /** Every key, newest first. */
    public List<EncryptionKey> list() {
        return jdbc.sql("SELECT id, active, created_at, retired_at FROM encryption_keys ORDER BY created_at DESC, id")
                .query((rs, n) -> {
                    long retired = rs.getLong("retired_at");
                    Instant retiredAt = rs.wasNull() ? null : Timestamps.fromMillis(retired);
                    return new EncryptionKey(rs.getString("id"), rs.getBoolean("active"),
                            Timestamps.fromMillis(rs.getLong("created_at")), retiredAt);
                })
                .list();
    }

    /**
     * Makes a new key active and retires the one that was (none before the first backup). Rotations, and the
     * first key's creation, are serialized: on PostgreSQL by a table lock, on SQLite by its single writer.
     */
    public Rotation rotate() {
        return tx.execute(status -> {
            lockKeys();
            Optional<String> retired = active();
            long now = clock.millis();
            retired.ifPresent(id -> jdbc.sql("UPDATE encryption_keys SET active = FALSE, retired_at = :now WHERE id = :id")
                    .param("now", now).param("id", id).update());
            String id = insert(now, false).orElseThrow();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("retired_key_id", retired.orElse(null));
            audit.success(AuditEvent.of("encryption_key_rotated", "encryption_key", id, id, details)
                    .withAfter(new EncryptionKey(id, true, Timestamps.fromMillis(now), null)));
            return new Rotation(id, retired.orElse(null));
        });
    }

    private String createFirst() {
        return tx.execute(status -> {
            lockKeys();
            Optional<String> existing = active();
            if (existing.isPresent()) {
                return existing.get();
            }
            long now = clock.millis();
            Optional<String> made = insert(now, true);
            if (made.isEmpty()) {
                // Only without the lock (a catalog that does not serialize): another node made it first.
                return active().orElseThrow(() -> new IllegalStateException("No active encryption key after a conflicting insert"));
            }
            String id = made.get();
            audit.success(AuditEvent.of("encryption_key_created", "encryption_key", id, id,
                    Map.of("reason", "first encrypted backup")).withAfter(new EncryptionKey(id, true, Timestamps.fromMillis(now), null)));
            return id;
        });
    }

    /**
     * Inserts a new active key, sealed. The unique index on active rows refuses a second one; {@code ifNoneActive}
     * makes that refusal an empty answer (ON CONFLICT DO NOTHING, on both catalogs) instead of an error.
     */
    private Optional<String> insert(long now, boolean ifNoneActive) {
        String id = Ids.newId("key");
        String sealed;
        try {
            byte[] keyset = TinkProtoKeysetFormat.serializeKeyset(generate(), InsecureSecretKeyAccess.get());
            sealed = secrets.encrypt(Base64.getEncoder().encodeToString(keyset), id);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate an encryption key: " + e.getMessage(), e);
        }
        int inserted = jdbc.sql("INSERT INTO encryption_keys (id, keyset, active, created_at) VALUES (:id, :keyset, TRUE, :now)"
                        + (ifNoneActive ? " ON CONFLICT DO NOTHING" : ""))
                .param("id", id).param("keyset", sealed).param("now", now).update();
        return inserted == 1 ? Optional.of(id) : Optional.empty();
    }

    private void lockKeys() {
        if (postgres) {
            // Self-exclusive and taken by INSERT's lock too: rotations and first creations wait for each other.
            jdbc.sql("LOCK TABLE encryption_keys IN SHARE ROW EXCLUSIVE MODE").update();
        }
    }

    private Optional<String> active() {
        return jdbc.sql("SELECT id FROM encryption_keys WHERE active = TRUE").query(String.class).optional();
    }

    /** The keyset of a row, opened with the master key. Package-private for tests that look for leaked material. */
    KeysetHandle unseal(String id, String sealed) throws GeneralSecurityException {
        return SealedKeys.unseal(secrets, id, sealed);
    }
}

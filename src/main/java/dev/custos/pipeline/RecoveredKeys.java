package dev.custos.pipeline;

import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Puts encryption keys found in manifests back into the catalog's {@code encryption_keys}, after the catalog was
 * lost. A key comes back sealed exactly as the manifest carries it (the catalog's own form), and retired: which key
 * encrypts new backups is decided by a rotation or by the first encrypted backup, never by what a rebuild found.
 */
public final class RecoveredKeys {

    private final JdbcClient jdbc;

    public RecoveredKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return false when the catalog has a key with that id already (it is left as it is) */
    public boolean restore(String keyId, String sealedKeyset, Instant createdAt, Instant retiredAt) {
        return jdbc.sql("""
                INSERT INTO encryption_keys (id, keyset, active, created_at, retired_at)
                VALUES (:id, :keyset, FALSE, :created, :retired) ON CONFLICT DO NOTHING
                """)
                .param("id", keyId).param("keyset", sealedKeyset).param("created", createdAt.toEpochMilli())
                .param("retired", retiredAt.toEpochMilli()).update() == 1;
    }
}

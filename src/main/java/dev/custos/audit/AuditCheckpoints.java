package dev.custos.audit;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Signs the chain head with the audit signing key and keeps the signed checkpoints. */
@Component
class AuditCheckpoints {

    private static final RowMapper<Checkpoint> MAPPER = (rs, n) -> new Checkpoint(rs.getLong("sequence"),
            rs.getString("hash"), rs.getLong("created_at"), rs.getString("key_id"), rs.getString("signature"));

    private final JdbcClient jdbc;
    private final SigningKey key;

    AuditCheckpoints(JdbcClient jdbc, AuditProperties properties) {
        this.jdbc = jdbc;
        this.key = SigningKey.loadOrCreate(properties.signingKeyFile());
    }

    PublicKeys.Key publicKey() {
        return key.publicKey();
    }

    /** Signs that event {@code sequence} has {@code hash}; inside the transaction that holds the chain head. */
    Checkpoint sign(long sequence, String hash, long now) {
        Checkpoint c = new Checkpoint(sequence, hash, now, key.publicKey().keyId(),
                key.sign(Checkpoint.message(sequence, hash, now)));
        jdbc.sql("INSERT INTO audit_checkpoints (sequence, hash, created_at, key_id, signature) VALUES (?, ?, ?, ?, ?)")
                .params(c.sequence(), c.hash(), c.createdAt(), c.keyId(), c.signature()).update();
        return c;
    }

    /** Signs an export's end line. */
    ExportSeal seal(boolean filtered, long events, Long first, Long last, String digest) {
        return new ExportSeal(filtered, events, first, last, digest, key.publicKey().keyId(),
                key.sign(ExportSeal.message(filtered, events, first, last, digest)));
    }

    Optional<Checkpoint> latest() {
        return jdbc.sql("SELECT * FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1").query(MAPPER).optional();
    }

    List<Checkpoint> between(long fromSequence, long toSequence) {
        return jdbc.sql("SELECT * FROM audit_checkpoints WHERE sequence BETWEEN ? AND ? ORDER BY sequence")
                .params(fromSequence, toSequence).query(MAPPER).list();
    }
}

-- The audit trail as evidence (issue 6): every event gets a gap-free sequence number and the hash that chains it to
-- the one before; the classification of 003_* (category, severity, sensitive data, compliance flags) and the engine
-- and database type it concerns become columns so that every filter has an index. The table is rebuilt rather than
-- altered as on SQLite, so both catalogs have the same schema. Events written before this version get their sequence in
-- the order they happened; their classification and hashes are filled in by the service the first time it writes
-- (AuditChain), because a hash cannot be computed in SQL portably.
CREATE TABLE audit_events_v6 (
    id                      TEXT    PRIMARY KEY,
    sequence                BIGINT  NOT NULL,
    occurred_at             BIGINT  NOT NULL,
    action                  TEXT    NOT NULL,
    resource_type           TEXT    NOT NULL,
    resource_id             TEXT,
    resource_name           TEXT,
    user_id                 TEXT    NOT NULL,
    user_email              TEXT,
    actor_type              TEXT    NOT NULL DEFAULT 'anonymous',
    status                  TEXT    NOT NULL,
    category                TEXT    NOT NULL DEFAULT 'system',
    severity                TEXT    NOT NULL DEFAULT 'info',
    sensitive_data_accessed BOOLEAN NOT NULL DEFAULT FALSE,
    gdpr_relevant           BOOLEAN NOT NULL DEFAULT FALSE,
    sox_relevant            BOOLEAN NOT NULL DEFAULT FALSE,
    hipaa_relevant          BOOLEAN NOT NULL DEFAULT FALSE,
    engine_id               TEXT,
    database_type           TEXT,
    details                 TEXT,
    before_value            TEXT,
    after_value             TEXT,
    changes                 TEXT,
    error_message           TEXT,
    ip_address              TEXT,
    user_agent              TEXT,
    request_id              TEXT,
    http_method             TEXT,
    http_path               TEXT,
    -- Lower-case copies for the partial-match filters (the same on both catalogs); not part of the hash.
    name_search             TEXT,
    search_text             TEXT,
    hash                    TEXT,
    -- Where an archived event's content went (a signed JSONL segment in backup storage); its row keeps the sequence
    -- and hash that link the chain, its content is emptied.
    archived_in             TEXT
);
INSERT INTO audit_events_v6 (id, sequence, occurred_at, action, resource_type, resource_id, resource_name, user_id,
    user_email, status, details, before_value, after_value, error_message, ip_address, user_agent, request_id,
    http_method, http_path)
SELECT id, ROW_NUMBER() OVER (ORDER BY occurred_at, id), occurred_at, action, resource_type, resource_id, resource_name,
    user_id, user_email, status, details, before_value, after_value, error_message, ip_address, user_agent, request_id,
    http_method, http_path
FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_v6 RENAME TO audit_events;

-- Queries page newest first by sequence; each filter column leads an index that ends with it.
CREATE UNIQUE INDEX audit_events_sequence_idx ON audit_events (sequence);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at, sequence);
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, sequence);
CREATE INDEX audit_events_resource_id_idx ON audit_events (resource_id, sequence);
CREATE INDEX audit_events_type_idx ON audit_events (resource_type, sequence);
CREATE INDEX audit_events_action_idx ON audit_events (action, sequence);
CREATE INDEX audit_events_status_idx ON audit_events (status, sequence);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, sequence);
CREATE INDEX audit_events_category_idx ON audit_events (category, sequence);
CREATE INDEX audit_events_severity_idx ON audit_events (severity, sequence);
CREATE INDEX audit_events_engine_idx ON audit_events (engine_id, sequence);
CREATE INDEX audit_events_database_type_idx ON audit_events (database_type, sequence);
CREATE INDEX audit_events_request_idx ON audit_events (request_id);
CREATE INDEX audit_events_sensitive_idx ON audit_events (sequence) WHERE sensitive_data_accessed = TRUE;
CREATE INDEX audit_events_gdpr_idx ON audit_events (sequence) WHERE gdpr_relevant = TRUE;
CREATE INDEX audit_events_sox_idx ON audit_events (sequence) WHERE sox_relevant = TRUE;
CREATE INDEX audit_events_hipaa_idx ON audit_events (sequence) WHERE hipaa_relevant = TRUE;

-- The head of the chain, one row: the last sequence and hash, locked by every writer so that sequence numbers are
-- handed out without gaps in commit order. first_sequence and anchor_hash move when old events are archived and
-- purged, so the rest stays verifiable. last_hash is NULL while events from before this version are unsealed.
CREATE TABLE audit_chain (
    id             INTEGER PRIMARY KEY,
    last_sequence  BIGINT NOT NULL,
    last_hash      TEXT,
    last_at        BIGINT NOT NULL,
    first_sequence BIGINT NOT NULL,
    anchor_hash    TEXT   NOT NULL
);
INSERT INTO audit_chain (id, last_sequence, last_hash, last_at, first_sequence, anchor_hash)
SELECT 1, COALESCE(MAX(sequence), 0),
       CASE WHEN COUNT(*) = 0 THEN '0000000000000000000000000000000000000000000000000000000000000000' END,
       COALESCE(MAX(occurred_at), 0), 1,
       '0000000000000000000000000000000000000000000000000000000000000000'
FROM audit_events;

-- Signed checkpoints: the Ed25519 signature of (sequence, hash) of the chain head every N events or T seconds.
CREATE TABLE audit_checkpoints (
    sequence   BIGINT PRIMARY KEY,
    hash       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    key_id     TEXT   NOT NULL,
    signature  TEXT   NOT NULL
);

-- What proves a backup restorable: the fingerprint of the source taken with the dump, and the latest verification
-- (a checksum re-read or a test restore compared against that fingerprint).
ALTER TABLE backups ADD COLUMN fingerprint          TEXT;
ALTER TABLE backups ADD COLUMN verified_at          BIGINT;
ALTER TABLE backups ADD COLUMN verification_status  TEXT;
ALTER TABLE backups ADD COLUMN verification_kind    TEXT;
ALTER TABLE backups ADD COLUMN verification_details TEXT;
CREATE INDEX backups_verified_idx ON backups (database_id, verification_kind, verification_status, verified_at);

-- Restore jobs (the spec's recovery executions): a restore into a database, a restore of an uploaded file, a test
-- restore into a scratch database, or a checksum verification. Queue and history at once, like backups.
CREATE TABLE restores (
    id                      TEXT PRIMARY KEY,
    restore_type            TEXT    NOT NULL,
    backup_id               TEXT,
    source_database_id      TEXT,
    database_type           TEXT,
    target_engine_id        TEXT,
    target_database_id      TEXT,
    target_database_name    TEXT,
    target_key              TEXT    NOT NULL,
    status                  TEXT    NOT NULL,
    create_snapshot         BOOLEAN NOT NULL DEFAULT 0,
    strict_delete           BOOLEAN NOT NULL DEFAULT 0,
    keep_definers           BOOLEAN NOT NULL DEFAULT 0,
    no_owner                BOOLEAN NOT NULL DEFAULT 0,
    confirmed               BOOLEAN NOT NULL DEFAULT 0,
    pre_restore_snapshot_id TEXT,
    upload_key              TEXT,
    upload_sha256           TEXT,
    upload_bytes            BIGINT,
    upload_format           TEXT,
    upload_compression      TEXT,
    upload_key_id           TEXT,
    started_at              BIGINT,
    completed_at            BIGINT,
    bytes_read              BIGINT,
    target_touched          BOOLEAN,
    error_message           TEXT,
    warnings                TEXT,
    details                 TEXT,
    triggered_by            TEXT,
    created_at              BIGINT  NOT NULL,
    updated_at              BIGINT,
    lease_owner             TEXT,
    lease_expires_at        BIGINT,
    heartbeat_at            BIGINT,
    cancel_requested        BOOLEAN NOT NULL DEFAULT 0
);
-- One restore at a time into one target (engine + database name, or the backup a verification reads).
CREATE UNIQUE INDEX restores_one_active_per_target ON restores (target_key) WHERE status IN ('pending', 'in_progress');
CREATE INDEX restores_created_idx ON restores (created_at, id);
CREATE INDEX restores_backup_idx ON restores (backup_id, created_at);
CREATE INDEX restores_target_idx ON restores (target_database_id, created_at);

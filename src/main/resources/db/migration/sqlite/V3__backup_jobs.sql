-- Backups become jobs: the backups row is both the queue entry (status pending) and the result. A worker claims
-- a pending row with a conditional UPDATE and holds it by a lease it renews; a row whose lease expired belongs to a
-- process that died, and is failed by the sweep.
ALTER TABLE backups ADD COLUMN queue_message_id   TEXT;
ALTER TABLE backups ADD COLUMN database_alias     TEXT;
ALTER TABLE backups ADD COLUMN compression        TEXT;
ALTER TABLE backups ADD COLUMN compression_level  INTEGER;
ALTER TABLE backups ADD COLUMN encrypted          BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE backups ADD COLUMN encryption_key_id  TEXT;
ALTER TABLE backups ADD COLUMN checksum_sha256    TEXT;
ALTER TABLE backups ADD COLUMN raw_size_bytes     BIGINT;
ALTER TABLE backups ADD COLUMN bytes_written      BIGINT;
ALTER TABLE backups ADD COLUMN server_version     TEXT;
ALTER TABLE backups ADD COLUMN dump_tool          TEXT;
ALTER TABLE backups ADD COLUMN dump_tool_version  TEXT;
ALTER TABLE backups ADD COLUMN warnings           TEXT;
ALTER TABLE backups ADD COLUMN lease_owner        TEXT;
ALTER TABLE backups ADD COLUMN lease_expires_at   BIGINT;
ALTER TABLE backups ADD COLUMN heartbeat_at       BIGINT;
ALTER TABLE backups ADD COLUMN cancel_requested   BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE backups ADD COLUMN updated_at         BIGINT;

-- At most one backup of a database is queued or running: the second trigger fails on this index (409).
CREATE UNIQUE INDEX backups_one_active_per_database ON backups (database_id) WHERE status IN ('pending', 'in_progress');
CREATE INDEX backups_created_idx ON backups (created_at, id);
CREATE INDEX backups_engine_idx ON backups (engine_id, created_at);
CREATE UNIQUE INDEX backups_blob_idx ON backups (blob_name);

-- Timestamped steps of each job, served at GET /api/backups/{id}/logs.
CREATE TABLE execution_logs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id   TEXT   NOT NULL,
    execution_type TEXT   NOT NULL,
    logged_at      BIGINT NOT NULL,
    log_level      TEXT   NOT NULL,
    log_message    TEXT   NOT NULL,
    bytes_so_far   BIGINT
);
CREATE INDEX execution_logs_execution_idx ON execution_logs (execution_id, id);

-- Tink streaming-AEAD keysets, each encrypted under the master key. Exactly one is active for new backups; retired
-- ones stay to read old backups.
CREATE TABLE encryption_keys (
    id          TEXT PRIMARY KEY,
    keyset      TEXT   NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);
CREATE UNIQUE INDEX encryption_keys_one_active ON encryption_keys (active) WHERE active;

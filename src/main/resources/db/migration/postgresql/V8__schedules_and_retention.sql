-- db-scheduler's own table (its DDL for PostgreSQL, from the db-scheduler repository): the cluster-exclusive periodic
-- tasks (schedule tick, retention sweep) are claimed through it.
CREATE TABLE scheduled_tasks (
    task_name            TEXT NOT NULL,
    task_instance        TEXT NOT NULL,
    task_data            BYTEA,
    execution_time       TIMESTAMP WITH TIME ZONE NOT NULL,
    picked               BOOLEAN NOT NULL,
    picked_by            TEXT,
    last_success         TIMESTAMP WITH TIME ZONE,
    last_failure         TIMESTAMP WITH TIME ZONE,
    consecutive_failures INT,
    last_heartbeat       TIMESTAMP WITH TIME ZONE,
    version              BIGINT NOT NULL,
    priority             SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);

-- Every tier a scheduled backup counts for (a JSON array; tier holds the largest), and a legal hold that retention
-- never prunes through. pruning_at marks a backup retention has begun to delete: no restore or download starts on it.
ALTER TABLE backups ADD COLUMN tiers         TEXT;
ALTER TABLE backups ADD COLUMN locked        BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE backups ADD COLUMN locked_reason TEXT;
ALTER TABLE backups ADD COLUMN locked_at     BIGINT;
ALTER TABLE backups ADD COLUMN locked_by     TEXT;
ALTER TABLE backups ADD COLUMN pruning_at    BIGINT;

-- The next due run of each scheduled database. config is what the run was computed from (policy tiers, zone, cron),
-- so a changed policy is noticed and the next run recomputed; next_run_at moves forward with a conditional UPDATE,
-- so a run is queued once even if two nodes were to look at once.
CREATE TABLE backup_schedules (
    database_id    TEXT PRIMARY KEY,
    config         TEXT   NOT NULL,
    next_run_at    BIGINT,
    next_tiers     TEXT,
    last_run_at    BIGINT,
    last_fired_at  BIGINT,
    last_backup_id TEXT,
    last_outcome   TEXT,
    last_message   TEXT,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX backup_schedules_due_idx ON backup_schedules (next_run_at);

-- What retention deleted, and why. A row is written as 'pending' in the transaction that marks the backup, before the
-- object is touched, and becomes 'completed' with the history row's removal: a crash in between is finished by the
-- next sweep.
CREATE TABLE backup_cleanup_history (
    id                 TEXT PRIMARY KEY,
    database_id        TEXT   NOT NULL,
    backup_id          TEXT   NOT NULL,
    blob_name          TEXT,
    policy_id          TEXT,
    backup_created_at  BIGINT,
    file_size_bytes    BIGINT,
    reason             TEXT   NOT NULL,
    triggered_by       TEXT   NOT NULL,
    status             TEXT   NOT NULL,
    error_message      TEXT,
    started_at         BIGINT NOT NULL,
    completed_at       BIGINT
);
CREATE INDEX backup_cleanup_history_database_idx ON backup_cleanup_history (database_id, started_at);
CREATE INDEX backup_cleanup_history_pending_idx ON backup_cleanup_history (status) WHERE status = 'pending';

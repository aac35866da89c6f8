-- Times are epoch milliseconds (BIGINT) in both catalogs so one repository serves SQLite and PostgreSQL.

CREATE TABLE engines (
    id                TEXT PRIMARY KEY,
    name              TEXT    NOT NULL,
    engine_type       TEXT    NOT NULL,
    host              TEXT    NOT NULL,
    port              INTEGER NOT NULL,
    auth_method       TEXT    NOT NULL,
    username          TEXT,
    password_enc      TEXT,
    discovery_enabled INTEGER NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX engines_name_uq ON engines (lower(name));
CREATE INDEX engines_type_idx ON engines (engine_type);

CREATE TABLE backup_policies (
    id          TEXT PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT,
    is_system   INTEGER NOT NULL,
    timezone    TEXT    NOT NULL,
    hourly      TEXT    NOT NULL,
    daily       TEXT    NOT NULL,
    weekly      TEXT    NOT NULL,
    monthly     TEXT    NOT NULL,
    yearly      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX backup_policies_name_uq ON backup_policies (lower(name));

CREATE TABLE databases (
    id                     TEXT PRIMARY KEY,
    name                   TEXT    NOT NULL,
    database_type          TEXT    NOT NULL,
    engine_id              TEXT REFERENCES engines (id),
    use_engine_credentials INTEGER NOT NULL,
    host                   TEXT,
    port                   INTEGER,
    database_name          TEXT    NOT NULL,
    username               TEXT,
    password_enc           TEXT,
    password_secret_name   TEXT,
    policy_id              TEXT    NOT NULL REFERENCES backup_policies (id),
    enabled                INTEGER NOT NULL,
    compression            TEXT    NOT NULL,
    backup_destination     TEXT,
    schedule               TEXT,
    tags                   TEXT,
    created_at             BIGINT  NOT NULL,
    updated_at             BIGINT  NOT NULL
);
-- One configuration per real database: the same target registered twice would be backed up twice.
CREATE UNIQUE INDEX databases_target_uq ON databases (database_type, coalesce(host, ''), coalesce(port, 0), database_name);
CREATE INDEX databases_engine_idx ON databases (engine_id);
CREATE INDEX databases_policy_idx ON databases (policy_id);
CREATE INDEX databases_type_idx ON databases (database_type);
CREATE INDEX databases_host_idx ON databases (host);
CREATE INDEX databases_name_idx ON databases (name, id);

CREATE TABLE settings (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    dark_mode              INTEGER NOT NULL,
    default_retention_days INTEGER NOT NULL,
    default_compression    INTEGER NOT NULL,
    updated_at             BIGINT  NOT NULL
);

-- The spec's BackupResult; the backups issue fills it.
CREATE TABLE backups (
    id               TEXT PRIMARY KEY,
    job_id           TEXT,
    database_id      TEXT   NOT NULL,
    database_type    TEXT   NOT NULL,
    engine_id        TEXT,
    status           TEXT   NOT NULL,
    tier             TEXT,
    triggered_by     TEXT   NOT NULL,
    started_at       BIGINT,
    completed_at     BIGINT,
    blob_name        TEXT,
    file_size_bytes  BIGINT,
    file_format      TEXT,
    error_message    TEXT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX backups_database_idx ON backups (database_id, created_at);
CREATE INDEX backups_status_idx ON backups (status);

CREATE TABLE audit_events (
    id             TEXT PRIMARY KEY,
    occurred_at    BIGINT NOT NULL,
    action         TEXT   NOT NULL,
    resource_type  TEXT   NOT NULL,
    resource_id    TEXT,
    resource_name  TEXT,
    user_id        TEXT   NOT NULL,
    user_email     TEXT,
    status         TEXT   NOT NULL,
    details        TEXT,
    before_value   TEXT,
    after_value    TEXT,
    error_message  TEXT,
    ip_address     TEXT,
    user_agent     TEXT,
    request_id     TEXT,
    http_method    TEXT,
    http_path      TEXT
);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at, id);
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, occurred_at);
CREATE INDEX audit_events_action_idx ON audit_events (action, occurred_at);

-- The spec's default policy: databases created without policy_id use it. System policies cannot be deleted.
INSERT INTO backup_policies (id, name, description, is_system, timezone, hourly, daily, weekly, monthly, yearly, created_at, updated_at)
VALUES ('production-standard', 'Production Standard', 'Daily for a week, weekly for a month, monthly for a year', TRUE, 'UTC',
        '{"enabled":false,"keep_count":0,"interval_hours":1}',
        '{"enabled":true,"keep_count":7,"time":"02:00"}',
        '{"enabled":true,"keep_count":4,"time":"02:00","day_of_week":0}',
        '{"enabled":true,"keep_count":12,"time":"02:00","day_of_month":1}',
        '{"enabled":false,"keep_count":0,"time":"02:00","day_of_month":1,"month":1}',
        0, 0);

INSERT INTO settings (id, dark_mode, default_retention_days, default_compression, updated_at)
VALUES (1, FALSE, 30, TRUE, 0);

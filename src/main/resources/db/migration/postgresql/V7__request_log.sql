-- The server-level request log of 004_* (every API request: method, path, status, duration, actor, address), kept
-- apart from the audit chain: it is written in batches after the response and expires after 90 days by default.
CREATE TABLE request_logs (
    seq          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  BIGINT  NOT NULL,
    method       TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    duration_ms  BIGINT  NOT NULL,
    user_id      TEXT    NOT NULL,
    ip_address   TEXT,
    user_agent   TEXT,
    request_id   TEXT
);
CREATE INDEX request_logs_time_idx ON request_logs (occurred_at);
CREATE INDEX request_logs_path_idx ON request_logs (path, seq);
CREATE INDEX request_logs_status_idx ON request_logs (status, seq);
CREATE INDEX request_logs_user_idx ON request_logs (user_id, seq);
CREATE INDEX request_logs_ip_idx ON request_logs (ip_address, seq);
CREATE INDEX request_logs_request_idx ON request_logs (request_id);

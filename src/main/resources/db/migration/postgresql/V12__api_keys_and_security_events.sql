-- API keys (issue 8): a key is shown once and kept only as the SHA-256 of its secret (it is 192 random bits, so a
-- fast hash is as safe as a slow one and lets a request find its key by an index). A key acts for its owner,
-- narrowed by its scopes; revoking or rotating keeps the row, so the audit trail and the request log (which names
-- the key as the actor of each use) keep pointing at it.
CREATE TABLE api_keys (
    id           TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    owner_id     TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    revoked_by   TEXT,
    replaced_by  TEXT,
    last_used_at BIGINT,
    last_used_ip TEXT
);
CREATE UNIQUE INDEX api_keys_secret_uq ON api_keys (secret_hash);
CREATE INDEX api_keys_owner_idx ON api_keys (owner_id);

-- Security events (issue 8): failed sign-ins, invalid, expired or revoked keys and tokens, refused requests and
-- lockouts. Kept apart from the audit chain, which an attacker could otherwise flood; they expire with the request log.
CREATE TABLE security_events (
    seq          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT    NOT NULL,
    occurred_at  BIGINT  NOT NULL,
    type         TEXT    NOT NULL,
    severity     TEXT    NOT NULL,
    principal    TEXT,
    user_id      TEXT,
    key_id       TEXT,
    reason       TEXT    NOT NULL,
    ip_address   TEXT,
    user_agent   TEXT,
    method       TEXT,
    path         TEXT,
    request_id   TEXT
);
CREATE INDEX security_events_time_idx ON security_events (occurred_at);
CREATE INDEX security_events_type_idx ON security_events (type, seq);
CREATE INDEX security_events_ip_idx ON security_events (ip_address, seq);
CREATE INDEX security_events_principal_idx ON security_events (principal, seq);

-- Access requests (issue 8): an identity that signed in (an OIDC token whose claims map to no role, or a user who
-- needs more) asks for a role; an admin approves with a role or rejects with a reason. Decided requests are kept.
CREATE TABLE access_requests (
    id               TEXT    PRIMARY KEY,
    requester_id     TEXT    NOT NULL,
    requester_kind   TEXT    NOT NULL,
    username         TEXT    NOT NULL,
    email            TEXT,
    requester_role   TEXT,
    requested_role   TEXT    NOT NULL,
    reason           TEXT,
    status           TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    decided_at       BIGINT,
    decided_by       TEXT,
    granted_role     TEXT,
    rejection_reason TEXT
);
CREATE INDEX access_requests_status_idx ON access_requests (status, created_at);
CREATE INDEX access_requests_requester_idx ON access_requests (requester_id, status);
-- One pending request per identity, even when two arrive at once.
CREATE UNIQUE INDEX access_requests_pending_uq ON access_requests (requester_id) WHERE status = 'pending';

-- The roles admins granted to identities that are not Custos users (OIDC subjects), by approving their requests.
-- A token's role is the higher of what its claims map to and what it was granted here.
CREATE TABLE role_grants (
    subject     TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL,
    granted_by  TEXT    NOT NULL,
    granted_at  BIGINT  NOT NULL,
    request_id  TEXT
);

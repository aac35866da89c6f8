-- Users of Custos (issue 8): who may sign in, with which role. Passwords are kept only as adaptive hashes
-- (Argon2id, in Spring Security's "{id}" form so the algorithm can change without a migration); usernames are stored
-- lower-case, so they are unique whatever their case.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT    NOT NULL,
    name          TEXT,
    email         TEXT,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    last_login_at BIGINT
);
CREATE UNIQUE INDEX users_username_uq ON users (username);

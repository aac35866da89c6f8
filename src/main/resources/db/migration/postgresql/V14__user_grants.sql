-- Grants (issue 8): an operator or viewer with grants sees and acts on only the granted databases and every
-- database of the granted engines; one without grants sees all. Admins are never narrowed.
CREATE TABLE user_grants (
    user_id       TEXT    NOT NULL,
    resource_type TEXT    NOT NULL,
    resource_id   TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    created_by    TEXT    NOT NULL,
    PRIMARY KEY (user_id, resource_type, resource_id)
);

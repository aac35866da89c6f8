-- GET /api/databases answers a page and the total of every filter combination, searched by substring over name,
-- host and database_name. Two things make that cheap on 10,000 databases (bench/api, docs/benchmarks.md):
--
-- 1. search_text: the three columns, lower-cased, in one generated column. A search is one LIKE per row instead
--    of three lower() calls and three LIKEs, and the covering indexes below hold it, so the page query walks
--    index entries in page order (name, id) and stops after a page of matches without touching table rows.
-- 2. catalog_versions: a counter bumped by triggers in the same transaction as every write to databases. The
--    service caches totals per filter set under the version it read; any write, from any Custos process sharing
--    the catalog, makes the next request count again.
ALTER TABLE databases ADD COLUMN search_text TEXT
    GENERATED ALWAYS AS (lower(name || char(10) || coalesce(host, '') || char(10) || database_name)) VIRTUAL;

DROP INDEX databases_name_idx;
DROP INDEX databases_type_idx;
CREATE INDEX databases_page_idx ON databases (name, id, search_text);
CREATE INDEX databases_type_page_idx ON databases (database_type, name, id, search_text);

CREATE TABLE catalog_versions (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO catalog_versions (name, version) VALUES ('databases', 0);

CREATE TRIGGER databases_version_insert AFTER INSERT ON databases
BEGIN
    UPDATE catalog_versions SET version = version + 1 WHERE name = 'databases';
END;

CREATE TRIGGER databases_version_update AFTER UPDATE ON databases
BEGIN
    UPDATE catalog_versions SET version = version + 1 WHERE name = 'databases';
END;

CREATE TRIGGER databases_version_delete AFTER DELETE ON databases
BEGIN
    UPDATE catalog_versions SET version = version + 1 WHERE name = 'databases';
END;

-- GET /api/databases answers a page and the total of every filter combination, searched by substring over name,
-- host and database_name. Two things make that cheap on 10,000 databases (bench/api, docs/benchmarks.md):
--
-- 1. search_text: the three columns, lower-cased, in one stored generated column, searched with one LIKE per
--    row, and with a trigram index where pg_trgm is available.
-- 2. catalog_versions: a counter bumped by a trigger in the same transaction as every write to databases. The
--    service caches totals per filter set under the version it read; any write, from any Custos process sharing
--    the catalog, makes the next request count again.
ALTER TABLE databases ADD COLUMN search_text TEXT
    GENERATED ALWAYS AS (lower(name || chr(10) || coalesce(host, '') || chr(10) || database_name)) STORED;

-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13, so a catalog owner
-- without superuser can create it. Where it cannot be created, this migration still succeeds and the search
-- stays a scan: correct, only slower.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm is not available (%): the database search of the API will scan the table', SQLERRM;
END
$$;

DO $$
DECLARE
    trgm_schema TEXT := (SELECT n.nspname FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
                         WHERE x.extname = 'pg_trgm');
BEGIN
    IF trgm_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX databases_search_trgm_idx ON databases USING gin (search_text %I.gin_trgm_ops)',
                       trgm_schema);
    END IF;
END
$$;

CREATE TABLE catalog_versions (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO catalog_versions (name, version) VALUES ('databases', 0);

CREATE FUNCTION bump_databases_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_versions SET version = version + 1 WHERE name = 'databases';
    RETURN NULL;
END
$$;

CREATE TRIGGER databases_version AFTER INSERT OR UPDATE OR DELETE ON databases
    FOR EACH STATEMENT EXECUTE FUNCTION bump_databases_version();

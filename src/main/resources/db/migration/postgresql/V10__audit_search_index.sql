-- The partial-match filters of the audit trail (search, resource_name) read trigram indexes instead of scanning the
-- table. pg_trgm ships with PostgreSQL and is a trusted extension (the catalog's owner may create it); where it
-- cannot be created, the migration says so and the filters keep working by a scan.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm could not be created (%): the audit filters search and resource_name will scan the table',
        SQLERRM;
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX audit_events_search_trgm_idx ON audit_events USING gin (search_text gin_trgm_ops)';
        EXECUTE 'CREATE INDEX audit_events_name_trgm_idx ON audit_events USING gin (name_search gin_trgm_ops)';
    END IF;
END $$;

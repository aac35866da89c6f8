-- Per-database backup options beyond the spec's boolean compression: the compression level (null = the
-- algorithm's default) and whether backups are encrypted with the active key.
ALTER TABLE databases ADD COLUMN compression_level INTEGER;
ALTER TABLE databases ADD COLUMN encrypted BOOLEAN NOT NULL DEFAULT 0;

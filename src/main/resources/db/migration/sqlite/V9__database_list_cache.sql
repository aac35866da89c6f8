-- GET /api/databases caches its pages (not only its totals) under the 'databases' row of catalog_versions. A page
-- shows engine columns too (engine_name, and the username and has_password a database inherits from its engine),
-- so a write to an engine bumps the same version as a write to a database. An engine's insert changes no page.
CREATE TRIGGER engines_databases_version_update AFTER UPDATE ON engines
BEGIN
    UPDATE catalog_versions SET version = version + 1 WHERE name = 'databases';
END;

CREATE TRIGGER engines_databases_version_delete AFTER DELETE ON engines
BEGIN
    UPDATE catalog_versions SET version = version + 1 WHERE name = 'databases';
END;

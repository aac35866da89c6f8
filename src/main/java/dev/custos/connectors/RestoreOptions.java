package dev.custos.connectors;

/**
 * How a connector loads a dump into its target.
 *
 * @param format              the dump's format
 * @param sourceServerVersion version of the server the dump came from when known (from a backup's manifest), else
 *                            null: PostgreSQL connectors then read it from the dump itself
 * @param replace             drop each object of the dump that exists in the target before creating it (pg_restore
 *                            --clean --if-exists; mariadb-dump's own DROP … IF EXISTS). Objects of the target that
 *                            are not in the dump stay.
 * @param strictDelete        make the target hold exactly what the dump holds: objects of the target that are not in
 *                            the dump are dropped too
 * @param keepDefiners        MySQL/MariaDB: keep the dump's DEFINER clauses instead of rewriting them to the
 *                            restoring account (which would fail where the original account does not exist)
 * @param noOwner             PostgreSQL: do not restore object ownership (pg_restore --no-owner), for a server that
 *                            lacks the dump's roles
 */
public record RestoreOptions(
        DumpFormat format, String sourceServerVersion, boolean replace, boolean strictDelete, boolean keepDefiners,
        boolean noOwner) {

    public RestoreOptions {
        java.util.Objects.requireNonNull(format, "format");
    }

    public static RestoreOptions of(DumpFormat format) {
        return new RestoreOptions(format, null, true, false, false, false);
    }

    public RestoreOptions withStrictDelete(boolean strictDelete) {
        return new RestoreOptions(format, sourceServerVersion, replace, strictDelete, keepDefiners, noOwner);
    }

    public RestoreOptions withSourceServerVersion(String version) {
        return new RestoreOptions(format, version, replace, strictDelete, keepDefiners, noOwner);
    }

    public RestoreOptions withKeepDefiners(boolean keepDefiners) {
        return new RestoreOptions(format, sourceServerVersion, replace, strictDelete, keepDefiners, noOwner);
    }

    public RestoreOptions withNoOwner(boolean noOwner) {
        return new RestoreOptions(format, sourceServerVersion, replace, strictDelete, keepDefiners, noOwner);
    }
}

package dev.custos.connectors;

import java.util.List;

/**
 * What a finished dump tells about itself; it goes into the backup's manifest and result.
 *
 * @param fileFormat    extension of the uncompressed dump: {@code dump} (pg_dump custom), {@code sql}
 *                      (mariadb-dump), {@code sqlite} (a SQLite database file)
 * @param serverVersion version of the server that was dumped
 * @param tool          the tool that made the dump, e.g. {@code pg_dump}, {@code mariadb-dump},
 *                      {@code sqlite-online-backup}
 * @param toolVersion   the tool's own version
 * @param warnings      what the tool or connector warned about (stderr lines of a successful run, MyISAM tables
 *                      that are not snapshot-consistent, …); never secrets
 * @param fingerprint   the dumped database's fingerprint when one was asked for, else null
 */
public record DumpResult(String fileFormat, String serverVersion, String tool, String toolVersion, List<String> warnings,
        Fingerprint fingerprint) {

    public DumpResult {
        warnings = List.copyOf(warnings);
    }

    public DumpResult(String fileFormat, String serverVersion, String tool, String toolVersion, List<String> warnings) {
        this(fileFormat, serverVersion, tool, toolVersion, warnings, null);
    }

    public DumpResult withFingerprint(Fingerprint fingerprint) {
        return new DumpResult(fileFormat, serverVersion, tool, toolVersion, warnings, fingerprint);
    }
}

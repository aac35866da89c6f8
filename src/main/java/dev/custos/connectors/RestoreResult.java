package dev.custos.connectors;

import java.util.List;

/**
 * What a finished restore tells about itself.
 *
 * @param serverVersion version of the server restored into
 * @param tool          the tool that loaded the dump ({@code pg_restore}, {@code psql}, {@code mariadb},
 *                      {@code sqlite-online-backup})
 * @param toolVersion   the tool's own version
 * @param warnings      what the tool or connector warned about; never secrets
 */
public record RestoreResult(String serverVersion, String tool, String toolVersion, List<String> warnings) {

    public RestoreResult {
        warnings = List.copyOf(warnings);
    }
}

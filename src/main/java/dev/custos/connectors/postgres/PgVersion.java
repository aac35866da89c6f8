package dev.custos.connectors.postgres;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL version as the server counts it ({@code server_version_num}: 150008 for 15.8, 90624 for 9.6.24) and
 * as users write it. Before 10 a major version had two parts (9.6), since then one (15).
 *
 * @param number server_version_num style
 * @param text   "15.8", without a packager's suffix such as " (Debian 15.8-1)"
 */
record PgVersion(int number, String text) {

    private static final Pattern TOOL_VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(\\S*)");
    private static final Pattern BARE_VERSION = Pattern.compile("^\\s*(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(\\S*)");

    static PgVersion ofServer(int serverVersionNum, String serverVersion) {
        String text = serverVersion == null ? "" : serverVersion.strip();
        int space = text.indexOf(' ');
        return new PgVersion(serverVersionNum, space < 0 ? text : text.substring(0, space));
    }

    /** Reads what {@code pg_dump --version} prints: "pg_dump (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)". */
    static Optional<PgVersion> ofTool(String versionLine) {
        return of(TOOL_VERSION.matcher(versionLine == null ? "" : versionLine));
    }

    /**
     * Reads a version written on its own, as a dump records its server's ("15.8 (Debian 15.8-0+deb12u1)") or a
     * backup's manifest does ("15.8").
     */
    static Optional<PgVersion> parse(String text) {
        return of(BARE_VERSION.matcher(text == null ? "" : text));
    }

    private static Optional<PgVersion> of(Matcher m) {
        if (!m.find()) {
            return Optional.empty();
        }
        int first;
        int second;
        int third;
        try {
            first = Integer.parseInt(m.group(1));
            second = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            third = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        } catch (NumberFormatException e) {
            // Digits beyond an int: not a version any PostgreSQL has.
            return Optional.empty();
        }
        int number = first >= 10 ? first * 10_000 + second : first * 10_000 + second * 100 + third;
        String text = m.group(1) + (m.group(2) == null ? "" : "." + m.group(2))
                + (m.group(3) == null ? "" : "." + m.group(3)) + m.group(4);
        return Optional.of(new PgVersion(number, text));
    }

    /** Comparable across the 9.x/10+ change: 150000 for 15.x, 90600 for 9.6.x. */
    int major() {
        return number >= 100_000 ? number / 10_000 * 10_000 : number / 100 * 100;
    }

    /** "15" or "9.6", as in the package name postgresql-client-15. */
    String majorText() {
        return number >= 100_000 ? Integer.toString(number / 10_000) : number / 10_000 + "." + number / 100 % 100;
    }

    @Override
    public String toString() {
        return text;
    }
}

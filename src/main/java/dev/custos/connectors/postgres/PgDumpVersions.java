package dev.custos.connectors.postgres;

import dev.custos.connectors.DumpException;
import java.util.Comparator;
import java.util.List;

/**
 * Which pg_dump may dump a server. pg_dump refuses a server newer than itself ("aborting because of server version
 * mismatch") and dumps older ones, so its major version must be at least the server's. The same major is best: its
 * output is what that server's own pg_restore knows best.
 */
final class PgDumpVersions {

    private PgDumpVersions() {
    }

    /**
     * The installed pg_dump of the server's major version (the newest minor if several), else the newest one of a
     * later major; on a tie the first in {@code installed} wins.
     *
     * @throws DumpException none fits; the message names both versions and the package to install
     */
    static PgDump choose(PgVersion server, List<PgDump> installed) {
        Comparator<PgDump> byVersion = Comparator.comparingInt(dump -> dump.version().number());
        return installed.stream()
                .filter(dump -> dump.version().major() == server.major())
                .reduce((best, next) -> byVersion.compare(next, best) > 0 ? next : best)
                .or(() -> installed.stream()
                        .filter(dump -> dump.version().major() > server.major())
                        .reduce((best, next) -> byVersion.compare(next, best) > 0 ? next : best))
                .orElseThrow(() -> new DumpException(noneFits(server, installed)));
    }

    private static String noneFits(PgVersion server, List<PgDump> installed) {
        String install = "; install postgresql-client-" + server.majorText();
        if (installed.isEmpty()) {
            return "server is PostgreSQL " + server.text() + " but no pg_dump is installed" + install;
        }
        PgDump newest = installed.stream().max(Comparator.comparingInt(dump -> dump.version().number())).orElseThrow();
        return "server is PostgreSQL " + server.text() + " but the newest pg_dump installed is "
                + newest.version().text() + install;
    }
}

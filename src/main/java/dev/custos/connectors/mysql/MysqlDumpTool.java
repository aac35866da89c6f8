package dev.custos.connectors.mysql;

import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpTools;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dump tool on this machine: MariaDB's mariadb-dump if installed (it dumps MySQL too), else mysqldump.
 *
 * @param name    "mariadb-dump" or "mysqldump"
 * @param version "10.11.19" (MariaDB reports the server release it ships with, after "Distrib"), "8.0.36"
 */
record MysqlDumpTool(Path path, String name, String version) {

    /** MariaDB 11 and later: "mariadb-dump from 11.4.2-MariaDB, client 10.19 for Linux (x86_64)". */
    private static final Pattern FROM = Pattern.compile("\\bfrom\\s+(\\d+\\.\\d+\\.\\d+)");
    private static final Pattern DISTRIB = Pattern.compile("Distrib\\s+(\\d+\\.\\d+\\.\\d+)");
    private static final Pattern VER = Pattern.compile("Ver\\s+(\\d+\\.\\d+(?:\\.\\d+)?)");

    static MysqlDumpTool find(CommandRunner runner) {
        for (String name : new String[] {"mariadb-dump", "mysqldump"}) {
            Optional<Path> path = DumpTools.onPath(name);
            if (path.isPresent()) {
                return new MysqlDumpTool(path.get(), name, parseVersion(DumpTools.versionLine(runner, path.get())));
            }
        }
        throw new DumpException("neither mariadb-dump nor mysqldump is installed; install mariadb-client");
    }

    /** From "mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)" or MySQL's banner. */
    static String parseVersion(String versionLine) {
        Matcher from = FROM.matcher(versionLine);
        if (from.find()) {
            return from.group(1);
        }
        Matcher distrib = DISTRIB.matcher(versionLine);
        if (distrib.find()) {
            return distrib.group(1);
        }
        Matcher ver = VER.matcher(versionLine);
        return ver.find() ? ver.group(1) : versionLine.strip();
    }
}

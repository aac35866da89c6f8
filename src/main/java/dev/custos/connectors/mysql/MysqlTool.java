package dev.custos.connectors.mysql;

import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.DumpTools;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MariaDB or MySQL client program on this machine: MariaDB's if installed (its tools speak to MySQL too), else
 * MySQL's. {@link #DUMP} finds mariadb-dump or mysqldump, {@link #CLIENT} mariadb or mysql.
 *
 * @param name    "mariadb-dump", "mysqldump", "mariadb", "mysql"
 * @param version "10.11.19" (MariaDB reports the server release it ships with, after "Distrib"), "8.0.36"
 */
record MysqlTool(Path path, String name, String version) {

    /** Program names to look for, in order of preference. */
    static final String[] DUMP = {"mariadb-dump", "mysqldump"};
    static final String[] CLIENT = {"mariadb", "mysql"};

    /** MariaDB 11 and later: "mariadb-dump from 11.4.2-MariaDB, client 10.19 for Linux (x86_64)". */
    private static final Pattern FROM = Pattern.compile("\\bfrom\\s+(\\d+\\.\\d+\\.\\d+)");
    private static final Pattern DISTRIB = Pattern.compile("Distrib\\s+(\\d+\\.\\d+\\.\\d+)");
    private static final Pattern VER = Pattern.compile("Ver\\s+(\\d+\\.\\d+(?:\\.\\d+)?)");

    /**
     * The first of {@code names} on PATH with its version; empty when none is installed.
     *
     * @throws dev.custos.connectors.DumpException it is installed but {@code --version} fails
     */
    static Optional<MysqlTool> find(CommandRunner runner, String... names) {
        for (String name : names) {
            Optional<Path> path = DumpTools.onPath(name);
            if (path.isPresent()) {
                return Optional.of(new MysqlTool(path.get(), name, parseVersion(DumpTools.versionLine(runner, path.get()))));
            }
        }
        return Optional.empty();
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

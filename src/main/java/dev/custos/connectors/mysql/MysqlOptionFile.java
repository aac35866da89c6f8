package dev.custos.connectors.mysql;

import dev.custos.connectors.ConnectionTarget;

/**
 * The {@code [client]} option file mariadb-dump and mysqldump read the login from, so that the password is in a
 * 0600 file and not in the arguments every local user can read.
 */
final class MysqlOptionFile {

    private MysqlOptionFile() {
    }

    static String render(ConnectionTarget target) {
        StringBuilder file = new StringBuilder("[client]\n");
        if (target.username() != null && !target.username().isEmpty()) {
            file.append("user=").append(quoted(target.username())).append('\n');
        }
        if (target.password() != null && !target.password().isEmpty()) {
            file.append("password=").append(quoted(target.password())).append('\n');
        }
        file.append("host=").append(quoted(target.host())).append('\n');
        file.append("port=").append(target.port()).append('\n');
        // "localhost" would otherwise mean the Unix socket, and perhaps another account than the JDBC check used.
        file.append("protocol=TCP\n");
        return file.toString();
    }

    /**
     * A value as the client library's option-file parser reads it back exactly: in double quotes, so that '#', ';'
     * and surrounding spaces are kept, with the escapes it knows for the characters that would end the value.
     */
    static String quoted(String value) {
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> quoted.append("\\\\");
                case '"' -> quoted.append("\\\"");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                case '\b' -> quoted.append("\\b");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}

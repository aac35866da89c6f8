package dev.custos.connectors;

import java.util.List;

/**
 * What a restore must know about its target before it touches it.
 *
 * @param exists        the database (or SQLite file) exists
 * @param userObjects   tables, views, sequences and routines the target holds outside the system schemas; 0 when
 *                      it does not exist
 * @param otherSessions sessions connected to the target besides Custos's own, described without secrets
 *                      ("pid 123 app psql user alice"); always empty for SQLite, which cannot tell
 * @param serverVersion the server's version (SQLite: the library's)
 */
public record TargetState(boolean exists, int userObjects, List<String> otherSessions, String serverVersion) {

    public TargetState {
        otherSessions = List.copyOf(otherSessions);
    }

    public boolean empty() {
        return userObjects == 0;
    }
}

package dev.custos.security;

import java.util.List;
import java.util.Set;

/** What a role (narrowed by an API key's scopes) allows, in the words {@code GET /api/users/me} uses. */
final class Permissions {

    private static final List<String> VIEWER = List.of("read");
    private static final List<String> OPERATOR = List.of("read", "backup", "restore", "verify", "download");
    private static final List<String> ADMIN = List.of("read", "backup", "restore", "verify", "download", "configure",
            "delete", "manage_users", "audit", "encryption_keys");

    private Permissions() {
    }

    static List<String> of(String role) {
        return switch (role) {
            case "admin" -> ADMIN;
            case "operator" -> OPERATOR;
            case "viewer" -> VIEWER;
            default -> List.of();
        };
    }

    /** The role's permissions that {@code scopes} (null: all of them) leave. */
    static List<String> of(String role, Set<String> scopes) {
        return of(role).stream().filter(p -> Scopes.allow(scopes, scopeOf(p))).toList();
    }

    private static String scopeOf(String permission) {
        return switch (permission) {
            case "read" -> Scopes.READ;
            case "backup", "verify" -> Scopes.BACKUP;
            case "restore", "download" -> Scopes.RESTORE;
            default -> Scopes.ADMIN;
        };
    }
}

package dev.custos.security;

import java.util.List;

/** What a role allows, in the words {@code GET /api/users/me} uses. */
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
            default -> VIEWER;
        };
    }
}

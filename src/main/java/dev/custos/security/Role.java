package dev.custos.security;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a user may do. Each role holds the rights of the ones below it: an admin does everything (users, audit,
 * settings, configuration, deletions); an operator runs backups, restores and verifications and reads everything
 * but the audit trail and the users; a viewer reads as much, but never downloads or restores.
 */
enum Role {
    ADMIN, OPERATOR, VIEWER;

    static final List<String> NAMES = Arrays.stream(values()).map(Role::value).toList();

    /** The name the API uses: {@code admin}, {@code operator}, {@code viewer}. */
    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The authority Spring Security checks: {@code ROLE_ADMIN} …. */
    String authority() {
        return "ROLE_" + name();
    }

    static Role of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}

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

    /** True when this role holds the rights of {@code level} (admin reaches every level, viewer only viewer's). */
    boolean reaches(AccessRules.Level level) {
        return switch (level) {
            case PUBLIC, SIGNED_IN, VIEWER -> true;
            case OPERATOR -> this != VIEWER;
            case ADMIN -> this == ADMIN;
        };
    }

    /** The access level this role is: what {@link #reaches} compares against. */
    AccessRules.Level level() {
        return switch (this) {
            case ADMIN -> AccessRules.Level.ADMIN;
            case OPERATOR -> AccessRules.Level.OPERATOR;
            case VIEWER -> AccessRules.Level.VIEWER;
        };
    }

    static Role of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}

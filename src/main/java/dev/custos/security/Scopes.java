package dev.custos.security;

import java.util.List;
import java.util.Set;

/**
 * What an API key may do, narrower than its owner's role: {@code read} (every read a viewer may make),
 * {@code backup} (run, cancel, lock and verify backups, test connections), {@code restore} (restore, roll back,
 * download) and {@code admin} (everything the owner's role allows). {@code backup} and {@code restore} include
 * {@code read}, so a script can follow the job it started.
 */
final class Scopes {

    static final String READ = "read";
    static final String BACKUP = "backup";
    static final String RESTORE = "restore";
    static final String ADMIN = "admin";
    static final List<String> ALL = List.of(READ, BACKUP, RESTORE, ADMIN);

    private Scopes() {
    }

    /** True when {@code held} (null: no narrowing) grants {@code needed} (null: any caller). */
    static boolean allow(Set<String> held, String needed) {
        if (held == null || needed == null || held.contains(ADMIN)) {
            return true;
        }
        if (needed.equals(READ)) {
            return !held.isEmpty();
        }
        return held.contains(needed);
    }

    /** The scopes a role may give its keys. */
    static List<String> grantable(Role role) {
        return switch (role) {
            case ADMIN -> ALL;
            case OPERATOR -> List.of(READ, BACKUP, RESTORE);
            case VIEWER -> List.of(READ);
        };
    }
}

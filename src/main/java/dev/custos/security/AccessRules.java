package dev.custos.security;

import java.util.List;

import org.springframework.http.HttpMethod;

/**
 * Who may call what: every API endpoint falls under the first rule that matches its method and path. The table is
 * the whole authorization policy, stated once; docs/api.md ("Users and access") shows it, and
 * AuthorizationMatrixApiIT calls every endpoint as anonymous and as each role against its own copy of it.
 */
final class AccessRules {

    /** The least a caller must be. Each role holds the rights of the ones below it. */
    enum Level {
        /** No credentials: health, and signed download links (the signature is the credential). */
        PUBLIC,
        /** Any signed-in user. */
        SIGNED_IN,
        VIEWER, OPERATOR, ADMIN
    }

    /**
     * {@code method} null for every method; {@code pattern} a Spring path pattern; {@code scope} what an API key
     * needs besides its owner's role ({@link Scopes}): {@code read} for a viewer's calls, {@code admin} for an
     * admin's, {@code backup} or {@code restore} for an operator's, none for the public and signed-in levels.
     */
    record Rule(HttpMethod method, String pattern, Level level, String scope) {

        Rule(HttpMethod method, String pattern, Level level) {
            this(method, pattern, level, switch (level) {
                case PUBLIC, SIGNED_IN -> null;
                case VIEWER -> Scopes.READ;
                case ADMIN -> Scopes.ADMIN;
                case OPERATOR -> throw new IllegalArgumentException("an operator's rule names its scope: " + pattern);
            });
        }
    }

    static final List<Rule> RULES = List.of(
            new Rule(HttpMethod.GET, "/api/health", Level.PUBLIC),
            new Rule(HttpMethod.GET, "/api/backups/download/file", Level.PUBLIC),
            new Rule(HttpMethod.GET, "/api/users/me", Level.SIGNED_IN),
            // Anyone signed in asks for access and follows their own requests; only admins decide them.
            new Rule(HttpMethod.POST, "/api/access-requests/*/approve", Level.ADMIN),
            new Rule(HttpMethod.POST, "/api/access-requests/*/reject", Level.ADMIN),
            new Rule(HttpMethod.GET, "/api/access-requests/**", Level.SIGNED_IN),
            new Rule(HttpMethod.POST, "/api/access-requests", Level.SIGNED_IN),
            new Rule(null, "/api/users/**", Level.ADMIN),
            new Rule(null, "/api/audit/**", Level.ADMIN),
            new Rule(null, "/api/security-events/**", Level.ADMIN),
            new Rule(null, "/api/role-grants/**", Level.ADMIN),
            // Everyone signed in with a role manages their own keys; a key needs the admin scope to manage keys.
            new Rule(HttpMethod.GET, "/api/api-keys/**", Level.VIEWER),
            new Rule(null, "/api/api-keys/**", Level.VIEWER, Scopes.ADMIN),
            // A download link hands a backup's data out: as sensitive as a restore.
            new Rule(HttpMethod.GET, "/api/backups/download", Level.OPERATOR, Scopes.RESTORE),
            new Rule(HttpMethod.POST, "/api/databases/*/backup", Level.OPERATOR, Scopes.BACKUP),
            new Rule(HttpMethod.POST, "/api/backups/*/cancel", Level.OPERATOR, Scopes.BACKUP),
            new Rule(HttpMethod.POST, "/api/backups/*/lock", Level.OPERATOR, Scopes.BACKUP),
            new Rule(HttpMethod.POST, "/api/backups/*/restore", Level.OPERATOR, Scopes.RESTORE),
            new Rule(HttpMethod.POST, "/api/backups/*/verify", Level.OPERATOR, Scopes.BACKUP),
            new Rule(HttpMethod.POST, "/api/restores/upload", Level.OPERATOR, Scopes.RESTORE),
            new Rule(HttpMethod.POST, "/api/restores/*/cancel", Level.OPERATOR, Scopes.RESTORE),
            new Rule(HttpMethod.POST, "/api/restores/*/rollback", Level.OPERATOR, Scopes.RESTORE),
            new Rule(HttpMethod.POST, "/api/engines/*/test", Level.OPERATOR, Scopes.BACKUP),
            // A preview with a proposed policy is a read, though it comes as a POST.
            new Rule(HttpMethod.POST, "/api/databases/*/retention-preview", Level.VIEWER),
            new Rule(HttpMethod.GET, "/api/**", Level.VIEWER),
            // Every other change: configuration (engines, databases, policies, settings; discovery, which can import
            // databases), deletions, unlocking, applying retention, rotating the encryption key.
            new Rule(null, "/api/**", Level.ADMIN),
            // Not the API: Spring's error page (and the web UI, later).
            new Rule(null, "/**", Level.PUBLIC));

    private AccessRules() {
    }
}

package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.SecuredService;

/**
 * Every endpoint the API serves, called as anonymous, viewer, operator and admin, and with an admin's API key of each
 * scope: each either refuses (401 without a user, 403 for a role or scope below the endpoint's) or lets the request
 * through to the endpoint itself (whatever it then answers for made-up ids). The expected level of each endpoint is written out here, apart from {@link AccessRules},
 * so that a rule that drifts is caught.
 */
class AuthorizationMatrixApiIT extends ApiTest {

    private static final SecuredService SERVICE = SecuredService.create("authz");
    private static final Path DIR = SERVICE.dir();

    /** The least a caller must be: the rule each endpoint is documented with in docs/api.md. */
    enum Needs { ANYONE, SIGNED_IN, VIEWER, OPERATOR, ADMIN }

    /** {@code scope}: what an API key needs besides its owner's role; null when any key passes. */
    record Endpoint(String method, String path, Needs needs, String scope) {
        @Override
        public String toString() {
            return method + " " + path + " (" + needs + (scope == null ? "" : ", scope " + scope) + ")";
        }
    }

    /** The served endpoints (OpenApiIT and HostileInputIT list the same ones) with made-up ids. */
    static Stream<Endpoint> endpoints() {
        return Stream.of(
                e("GET", "/api/health", Needs.ANYONE),
                e("GET", "/api/backups/download/file?blob_name=x&expires=1&signature=x", Needs.ANYONE),
                e("GET", "/api/users/me", Needs.SIGNED_IN),
                e("GET", "/api/engines", Needs.VIEWER),
                e("POST", "/api/engines", Needs.ADMIN),
                e("GET", "/api/engines/engine-x", Needs.VIEWER),
                e("PUT", "/api/engines/engine-x", Needs.ADMIN),
                e("DELETE", "/api/engines/engine-x", Needs.ADMIN),
                e("POST", "/api/engines/engine-x/test", Needs.OPERATOR, "backup"),
                e("POST", "/api/engines/engine-x/discover", Needs.ADMIN),
                e("GET", "/api/databases", Needs.VIEWER),
                e("POST", "/api/databases", Needs.ADMIN),
                e("GET", "/api/databases/db-x", Needs.VIEWER),
                e("PUT", "/api/databases/db-x", Needs.ADMIN),
                e("DELETE", "/api/databases/db-x", Needs.ADMIN),
                e("POST", "/api/databases/test-connection", Needs.ADMIN),
                e("GET", "/api/backup-policies", Needs.VIEWER),
                e("POST", "/api/backup-policies", Needs.ADMIN),
                e("GET", "/api/backup-policies/policy-x", Needs.VIEWER),
                e("PUT", "/api/backup-policies/policy-x", Needs.ADMIN),
                e("DELETE", "/api/backup-policies/policy-x", Needs.ADMIN),
                e("POST", "/api/databases/db-x/backup", Needs.OPERATOR, "backup"),
                e("GET", "/api/backups", Needs.VIEWER),
                e("GET", "/api/backups/backup-x", Needs.VIEWER),
                e("GET", "/api/backups/backup-x/logs", Needs.VIEWER),
                e("POST", "/api/backups/backup-x/cancel", Needs.OPERATOR, "backup"),
                e("POST", "/api/backups/backup-x/lock", Needs.OPERATOR, "backup"),
                e("POST", "/api/backups/backup-x/unlock", Needs.ADMIN),
                e("GET", "/api/schedules", Needs.VIEWER),
                e("GET", "/api/cleanup-history", Needs.VIEWER),
                e("GET", "/api/databases/db-x/retention-preview", Needs.VIEWER),
                e("POST", "/api/databases/db-x/retention-preview", Needs.VIEWER),
                e("POST", "/api/databases/db-x/retention/apply", Needs.ADMIN),
                e("GET", "/api/backups/files", Needs.VIEWER),
                e("GET", "/api/backups/download?blob_name=x", Needs.OPERATOR, "restore"),
                e("DELETE", "/api/backups/delete?blob_name=x", Needs.ADMIN),
                e("POST", "/api/backups/delete-bulk", Needs.ADMIN),
                e("POST", "/api/backups/backup-x/restore", Needs.OPERATOR, "restore"),
                e("POST", "/api/backups/backup-x/verify", Needs.OPERATOR, "backup"),
                e("GET", "/api/restores", Needs.VIEWER),
                e("GET", "/api/restores/restore-x", Needs.VIEWER),
                e("GET", "/api/restores/restore-x/logs", Needs.VIEWER),
                e("POST", "/api/restores/restore-x/cancel", Needs.OPERATOR, "restore"),
                e("POST", "/api/restores/restore-x/rollback", Needs.OPERATOR, "restore"),
                e("POST", "/api/restores/upload", Needs.OPERATOR, "restore"),
                e("GET", "/api/encryption-keys", Needs.VIEWER),
                e("POST", "/api/encryption-keys/rotate", Needs.ADMIN),
                e("GET", "/api/settings", Needs.VIEWER),
                e("PUT", "/api/settings", Needs.ADMIN),
                e("GET", "/api/users", Needs.ADMIN),
                e("POST", "/api/users", Needs.ADMIN),
                e("GET", "/api/users/user-x", Needs.ADMIN),
                e("PUT", "/api/users/user-x", Needs.ADMIN),
                e("DELETE", "/api/users/user-x", Needs.ADMIN),
                e("GET", "/api/users/user-x/grants", Needs.ADMIN),
                e("PUT", "/api/users/user-x/grants", Needs.ADMIN),
                e("GET", "/api/api-keys", Needs.VIEWER),
                e("POST", "/api/api-keys", Needs.VIEWER, "admin"),
                e("GET", "/api/api-keys/key-x", Needs.VIEWER),
                e("DELETE", "/api/api-keys/key-x", Needs.VIEWER, "admin"),
                e("POST", "/api/api-keys/key-x/rotate", Needs.VIEWER, "admin"),
                e("GET", "/api/api-keys/key-x/usage", Needs.VIEWER),
                e("GET", "/api/access-requests", Needs.SIGNED_IN),
                e("POST", "/api/access-requests", Needs.SIGNED_IN),
                e("GET", "/api/access-requests/access-x", Needs.SIGNED_IN),
                e("POST", "/api/access-requests/access-x/approve", Needs.ADMIN),
                e("POST", "/api/access-requests/access-x/reject", Needs.ADMIN),
                e("GET", "/api/role-grants", Needs.ADMIN),
                e("DELETE", "/api/role-grants/subject-x", Needs.ADMIN),
                e("GET", "/api/security-events", Needs.ADMIN),
                e("GET", "/api/security-events/summary", Needs.ADMIN),
                e("GET", "/api/audit", Needs.ADMIN),
                e("GET", "/api/audit/audit-x", Needs.ADMIN),
                e("GET", "/api/audit/actions", Needs.ADMIN),
                e("GET", "/api/audit/resource-types", Needs.ADMIN),
                e("GET", "/api/audit/history", Needs.ADMIN),
                e("GET", "/api/audit/recent", Needs.ADMIN),
                e("GET", "/api/audit/by-action", Needs.ADMIN),
                e("GET", "/api/audit/time-range", Needs.ADMIN),
                e("GET", "/api/audit/verify", Needs.ADMIN),
                e("GET", "/api/audit/public-key", Needs.ADMIN),
                e("GET", "/api/audit/checkpoints", Needs.ADMIN),
                e("GET", "/api/audit/export", Needs.ADMIN),
                e("GET", "/api/audit/deletions", Needs.ADMIN),
                e("GET", "/api/audit/requests", Needs.ADMIN),
                e("POST", "/api/audit/archive", Needs.ADMIN),
                e("GET", "/api/system-status", Needs.VIEWER),
                e("GET", "/api/openapi.json", Needs.VIEWER));
    }

    @LocalServerPort
    private int port;

    /** The callers, made once per test class: a user's password hash costs tens of milliseconds. */
    private static Map<Needs, Api> callers;

    /** An admin's API keys, one per scope: each is narrowed to what its scope allows. */
    private static Map<String, Api> keys;

    @DynamicPropertySource
    static void authenticationOn(DynamicPropertyRegistry registry) {
        SERVICE.register(registry);
    }

    @BeforeEach
    void signIn() throws IOException {
        if (callers != null) {
            return;
        }
        Api anonymous = new Api(port);
        Api admin = SERVICE.admin(anonymous);
        callers = Map.of(Needs.ANYONE, anonymous, Needs.VIEWER, user(admin, anonymous, "viewer"),
                Needs.OPERATOR, user(admin, anonymous, "operator"), Needs.ADMIN, admin);
        keys = new java.util.TreeMap<>();
        for (String scope : List.of("read", "backup", "restore", "admin")) {
            Api.Response r = admin.post("/api/api-keys", Api.json("name", scope + " key", "scopes", List.of(scope)));
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            keys.put(scope, anonymous.bearer(r.json().path("key").asString()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void eachCallerIsRefusedOrLetThroughAsTheRuleStates(Endpoint endpoint) {
        for (Needs caller : List.of(Needs.ANYONE, Needs.VIEWER, Needs.OPERATOR, Needs.ADMIN)) {
            Api.Response r = callers.get(caller).send(endpoint.method(), endpoint.path(), "application/json", "{}");
            String as = endpoint + " as " + caller + " -> " + r;
            if (allowed(caller, endpoint.needs())) {
                assertThat(r.status()).as(as).isNotIn(401, 500);
                if (r.status() == 403) {
                    // Only the endpoint's own refusal (a bad download signature), never the role rule's.
                    assertThat(r.error()).as(as).doesNotStartWith("Forbidden");
                }
            } else if (caller == Needs.ANYONE) {
                assertThat(r.status()).as(as).isEqualTo(401);
            } else {
                assertThat(r.status()).as(as).isEqualTo(403);
                assertThat(r.error()).as(as).startsWith("Forbidden");
            }
        }
        for (Map.Entry<String, Api> key : keys.entrySet()) {
            Api.Response r = key.getValue().send(endpoint.method(), endpoint.path(), "application/json", "{}");
            String as = endpoint + " with a " + key.getKey() + " key -> " + r;
            if (keyAllowed(key.getKey(), endpoint.scope())) {
                assertThat(r.status()).as(as).isNotIn(401, 500);
                if (r.status() == 403) {
                    assertThat(r.error()).as(as).doesNotStartWith("Forbidden");
                }
            } else {
                assertThat(r.status()).as(as).isEqualTo(403);
                assertThat(r.error()).as(as).startsWith("Forbidden: this API key");
            }
        }
    }

    /** A key's scope against the endpoint's: admin holds all, backup and restore include read. */
    private static boolean keyAllowed(String held, String needed) {
        return needed == null || held.equals("admin") || held.equals(needed)
                || (needed.equals("read") && !held.equals("admin"));
    }

    private static boolean allowed(Needs caller, Needs needs) {
        if (needs == Needs.ANYONE) {
            return true;
        }
        if (caller == Needs.ANYONE) {
            return false;
        }
        return needs == Needs.SIGNED_IN || caller.ordinal() >= needs.ordinal();
    }

    private static Api user(Api admin, Api anonymous, String role) {
        String name = role + "-" + Long.toString(System.nanoTime(), 36);
        String password = "password of " + name;
        Api.Response r = admin.post("/api/users", Api.json("username", name, "password", password, "role", role));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return anonymous.as(name, password);
    }

    private static Endpoint e(String method, String path, Needs needs) {
        return new Endpoint(method, path, needs, switch (needs) {
            case ANYONE, SIGNED_IN -> null;
            case VIEWER -> "read";
            case ADMIN -> "admin";
            case OPERATOR -> throw new IllegalArgumentException("say which scope " + path + " needs");
        });
    }

    private static Endpoint e(String method, String path, Needs needs, String scope) {
        return new Endpoint(method, path, needs, scope);
    }

}

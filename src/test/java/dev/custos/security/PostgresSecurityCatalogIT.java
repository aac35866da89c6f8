package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.api.Narrowing;
import dev.custos.api.Paging;
import dev.custos.app.CustosApplication;
import dev.custos.databases.DatabaseService;

/**
 * The security features' SQL on a PostgreSQL catalog (the API tests run on SQLite): API keys, security events,
 * access requests and role grants, and grants narrowing a database list.
 */
@SpringBootTest(classes = CustosApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
class PostgresSecurityCatalogIT {

    private static final String DATABASE = "custos_it_security_" + Long.toString(System.nanoTime(), 36);

    @Autowired
    UserService users;
    @Autowired
    ApiKeyService keys;
    @Autowired
    SecurityEvents events;
    @Autowired
    AccessRequestService requests;
    @Autowired
    Grants grants;
    @Autowired
    DatabaseService databases;
    @Autowired
    JsonMapper json;

    @DynamicPropertySource
    static void catalog(DynamicPropertyRegistry registry) throws Exception {
        admin("CREATE DATABASE " + DATABASE);
        Path dir = Files.createTempDirectory("custos-security-pg-");
        registry.add("custos.data-dir", dir::toString);
        registry.add("custos.catalog.url", () -> "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
        registry.add("custos.catalog.username", () -> "postgres");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
    }

    @AfterEach
    void noRequest() {
        RequestContextHolder.resetRequestAttributes();
    }

    @Test
    void aKeyAuthenticatesUntilItIsRevoked() {
        SignedIn owner = SignedIn.user(user("operator"));

        ApiKeyService.Created created = keys.create(body("name", "ci", "scopes", List.of("backup")), owner);
        ApiKeyService.Outcome used = keys.authenticate(created.secret(), "10.0.0.1");

        assertThat(used.signedIn().actorId()).isEqualTo(created.key().id());
        assertThat(used.signedIn().scopes()).containsExactly("backup");
        assertThat(keys.list(owner)).extracting(ApiKey::id).containsExactly(created.key().id());
        assertThat(keys.get(created.key().id(), owner).lastUsedIp()).isEqualTo("10.0.0.1");
        keys.revoke(created.key().id(), owner);
        assertThat(keys.authenticate(created.secret(), "10.0.0.1").refusal()).isEqualTo("api_key_revoked");
        assertThat(keys.authenticate(created.secret() + "x", "10.0.0.1").refusal()).isEqualTo("api_key_invalid");
    }

    @Test
    void securityEventsAreRecordedAndFiltered() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/databases");
        request.setRemoteAddr("192.0.2.7");
        String who = unique("mallory");

        events.record(request, "sign_in_failed", who, null, null, "unknown user");

        List<SecurityEvents.Event> found = events.page(new SecurityEvents.Query("sign_in_failed", who, "192.0.2.7",
                null, null, null), 10, null);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).reason()).isEqualTo("unknown user");
        assertThat(found.get(0).path()).isEqualTo("/api/databases");
        assertThat(events.countsSince(0)).containsKey("sign_in_failed");
    }

    @Test
    void accessRequestsAreOnePendingAtATimeAndApprovalsGrantTheRole() {
        SignedIn viewer = SignedIn.user(user("viewer"));
        AccessRequest asked = requests.create(body("role", "operator"), viewer);
        assertThatThrownBy(() -> requests.create(body("role", "operator"), viewer)).isInstanceOf(ApiException.class)
                .hasMessageContaining("pending access request already");
        SignedIn admin = SignedIn.user(user("admin"));

        AccessRequest approved = requests.approve(asked.id(), body(), admin);

        assertThat(approved.grantedRole()).isEqualTo("operator");
        assertThat(users.get(viewer.user().id()).role()).isEqualTo("operator");

        String sub = unique("sub");
        SignedIn token = new SignedIn("oidc", sub, "tok", null, null, null, null);
        AccessRequest tokenAsked = requests.create(body("role", "viewer"), token);
        requests.approve(tokenAsked.id(), body(), admin);
        assertThat(requests.grantedRole(sub)).contains(Role.VIEWER);
        assertThat(requests.roleGrants()).anyMatch(g -> sub.equals(g.get("subject")));
        requests.revokeGrant(sub);
        assertThat(requests.grantedRole(sub)).isEmpty();
    }

    @Test
    void grantsNarrowTheDatabaseList() {
        User operator = user("operator");
        String granted = databases.create(body("name", unique("granted"), "database_type", "sqlite", "database_name",
                "/tmp/granted.db")).id();
        String other = databases.create(body("name", unique("other"), "database_type", "sqlite", "database_name",
                "/tmp/other.db")).id();
        grants.replace(operator.id(), json.valueToTree(Map.of("grants", List.of(
                Map.of("resource_type", "database", "resource_id", granted)))));

        Narrowing narrowing = grants.narrowing(SignedIn.user(operator));
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setAttribute(Narrowing.ATTRIBUTE, narrowing);
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));

        assertThat(narrowing.databaseIds()).containsExactly(granted);
        DatabaseService.Page page = databases.list(new DatabaseService.Query(null, null, null, null, null, null),
                Paging.of(1000, 0, 25, 1000));
        assertThat(page.databases()).extracting(d -> d.id()).containsExactly(granted);
        assertThat(page.total()).isEqualTo(1);
        assertThatThrownBy(() -> databases.get(other)).isInstanceOf(ApiException.class);
    }

    private User user(String role) {
        String name = unique(role);
        return users.create(body("username", name, "password", "password of " + name, "role", role));
    }

    private JsonBody body(Object... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return JsonBody.of(json.valueToTree(map));
    }

    private static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}

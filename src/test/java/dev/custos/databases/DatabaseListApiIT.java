package dev.custos.databases;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.engines.NoPasswords;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * Every filter of {@code GET /api/databases}. The catalog is shared with other tests, so each test narrows the
 * list to what it created with a unique token (in a name, host, engine or policy) before it counts.
 */
class DatabaseListApiIT extends ApiTest {

    @Test
    void searchLooksInNameHostAndDatabaseNameIgnoringCase() {
        String token = unique("needle");
        String byName = create(Map.of("name", "Shop " + token));
        String byHost = create(Map.of("host", token + ".example.com"));
        String byDatabaseName = create(Map.of("database_name", "db_" + token));
        create(Map.of());

        Api.Response r = api.get("/api/databases?search=" + Api.encode(token.toUpperCase()));

        assertThat(r.status()).isEqualTo(200);
        assertThat(ids(r)).containsExactlyInAnyOrder(byName, byHost, byDatabaseName);
        assertThat(r.json().path("count").asInt()).isEqualTo(3);
        assertThat(r.json().path("total").asInt()).isEqualTo(3);
        assertThat(r.json().path("has_more").asBoolean()).isFalse();
    }

    @Test
    void searchTreatsLikeWildcardsAsText() {
        String token = unique("wild");
        create(Map.of("name", token + " plain"));

        assertThat(api.get("/api/databases?search=" + Api.encode(token + "%")).json().path("total").asInt()).isZero();
        assertThat(api.get("/api/databases?search=" + Api.encode(token.replace('-', '_'))).json().path("total").asInt())
                .isZero();
    }

    @Test
    void typeKeepsOnlyThatKind() {
        String token = unique("kinds");
        String mysql = create(Map.of("name", token + " m", "database_type", "mysql", "port", 3306));
        create(Map.of("name", token + " p"));
        create(Map.of("name", token + " s", "database_type", "sqlite", "database_name", "/var/lib/" + token + ".db"));

        Api.Response r = api.get("/api/databases?type=mysql&search=" + Api.encode(token));

        assertThat(ids(r)).containsExactly(mysql);
        r.json().path("databases").forEach(db -> assertThat(db.path("database_type").asString()).isEqualTo("mysql"));
    }

    @Test
    void anUnknownTypeIs400() {
        Api.Response r = api.get("/api/databases?type=oracle");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("type must be one of postgresql, mysql, sqlite, sqlserver, azure_sql");
    }

    @Test
    void enabledOnlyHidesDisabledDatabases() {
        String token = unique("switch");
        String on = create(Map.of("name", token + " on"));
        String off = create(Map.of("name", token + " off", "enabled", false));

        assertThat(ids(api.get("/api/databases?enabled_only=true&search=" + Api.encode(token)))).containsExactly(on);
        assertThat(ids(api.get("/api/databases?enabled_only=false&search=" + Api.encode(token))))
                .containsExactlyInAnyOrder(on, off);
    }

    @Test
    void hostMatchesTheWholeHostOnly() {
        String host = unique("host") + ".example.com";
        String a = create(Map.of("host", host));
        String b = create(Map.of("host", host.toUpperCase()));
        create(Map.of("host", "sub." + host));

        Api.Response r = api.get("/api/databases?host=" + Api.encode(host));

        assertThat(ids(r)).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void policyIdKeepsTheDatabasesOfThatPolicy() {
        Api.Response policy = api.post("/api/backup-policies", Api.json("name", unique("list-policy")));
        assertThat(policy.status()).as(policy.text()).isEqualTo(201);
        String policyId = policy.json().path("policy").path("id").asString();
        String withPolicy = create(Map.of("policy_id", policyId));
        create(Map.of());

        assertThat(ids(api.get("/api/databases?policy_id=" + policyId))).containsExactly(withPolicy);
    }

    @Test
    void engineIdKeepsTheDatabasesOfThatEngineWithItsName() {
        String engineName = unique("list-engine");
        String engineHost = unique("engine") + ".example.com";
        Api.Response engine = api.post("/api/engines", Api.json("name", engineName, "engine_type", "postgresql",
                "host", engineHost, "port", 5432, "username", "u", "password", "p"));
        String engineId = engine.json().path("engine").path("id").asString();
        String a = create(Map.of("engine_id", engineId, "use_engine_credentials", true, "host", engineHost));
        String b = create(Map.of("engine_id", engineId, "use_engine_credentials", true, "host", engineHost));
        create(Map.of());

        Api.Response r = api.get("/api/databases?engine_id=" + engineId);

        assertThat(ids(r)).containsExactlyInAnyOrder(a, b);
        r.json().path("databases").forEach(db -> assertThat(db.path("engine_name").asString()).isEqualTo(engineName));
    }

    @Test
    void filtersCombine() {
        String token = unique("combo");
        String host = token + ".example.com";
        String match = create(Map.of("name", token + " a", "host", host, "database_type", "mysql", "port", 3306));
        create(Map.of("name", token + " b", "host", host, "database_type", "mysql", "port", 3306, "enabled", false));
        create(Map.of("name", token + " c", "host", host));

        Api.Response r = api.get("/api/databases?enabled_only=true&type=mysql&host=" + Api.encode(host)
                + "&search=" + Api.encode(token) + "&policy_id=production-standard");

        assertThat(ids(r)).containsExactly(match);
    }

    @Test
    void limitAndOffsetPageThroughTheResults() {
        String token = unique("pages");
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(create(Map.of("name", token + " " + i)));
        }
        String search = "&search=" + Api.encode(token);

        Api.Response first = api.get("/api/databases?limit=2&offset=0" + search);
        Api.Response second = api.get("/api/databases?limit=2&offset=2" + search);
        Api.Response last = api.get("/api/databases?limit=2&offset=4" + search);
        Api.Response beyond = api.get("/api/databases?limit=2&offset=10" + search);

        assertThat(first.json().path("count").asInt()).isEqualTo(2);
        assertThat(first.json().path("total").asInt()).isEqualTo(5);
        assertThat(first.json().path("has_more").asBoolean()).isTrue();
        assertThat(second.json().path("has_more").asBoolean()).isTrue();
        assertThat(last.json().path("count").asInt()).isEqualTo(1);
        assertThat(last.json().path("total").asInt()).isEqualTo(5);
        assertThat(last.json().path("has_more").asBoolean()).isFalse();
        assertThat(beyond.json().path("count").asInt()).isZero();
        assertThat(beyond.json().path("total").asInt()).isEqualTo(5);
        List<String> paged = new ArrayList<>(ids(first));
        paged.addAll(ids(second));
        paged.addAll(ids(last));
        assertThat(paged).containsExactlyInAnyOrderElementsOf(mine);
    }

    @Test
    void aCursorPagesThroughInTheListsOrderAndEndsWithNone() {
        String token = unique("cursor");
        for (int i = 0; i < 7; i++) {
            create(Map.of("name", token + " " + i));
        }
        String search = "&search=" + Api.encode(token);
        List<String> byOffset = ids(api.get("/api/databases?limit=100" + search));

        List<String> byCursor = new ArrayList<>();
        Api.Response page = api.get("/api/databases?limit=3" + search);
        int pages = 1;
        while (true) {
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            assertThat(page.json().path("total").asInt()).isEqualTo(7);
            byCursor.addAll(ids(page));
            if (page.json().path("next_cursor").isNull()) {
                assertThat(page.json().path("has_more").asBoolean()).isFalse();
                break;
            }
            assertThat(page.json().path("has_more").asBoolean()).isTrue();
            page = api.get("/api/databases?limit=3" + search + "&cursor=" + page.json().path("next_cursor").asString());
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(byCursor).hasSize(7).containsExactlyElementsOf(byOffset);
    }

    @Test
    void aCursorThatIsNotOneTheApiGaveOrOneWithAnOffsetIs400() {
        Api.Response forged = api.get("/api/databases?cursor=not-a-cursor");
        assertThat(forged.status()).isEqualTo(400);
        assertThat(forged.error()).contains("cursor");
        String noId = java.util.Base64.getUrlEncoder().encodeToString("name only".getBytes());
        assertThat(api.get("/api/databases?cursor=" + noId).status()).isEqualTo(400);

        String cursor = api.get("/api/databases?limit=1").json().path("next_cursor").asString();
        Api.Response both = api.get("/api/databases?limit=1&offset=2&cursor=" + cursor);
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.error()).contains("cursor", "offset");
    }

    @Test
    void theDefaultLimitIs25() {
        String token = unique("many");
        for (int i = 0; i < 26; i++) {
            create(Map.of("name", token + " " + i));
        }

        Api.Response r = api.get("/api/databases?search=" + Api.encode(token));

        assertThat(r.json().path("count").asInt()).isEqualTo(25);
        assertThat(r.json().path("total").asInt()).isEqualTo(26);
        assertThat(r.json().path("has_more").asBoolean()).isTrue();
    }

    @Test
    void badPagingAndFilterValuesAre400NamingTheParameter() {
        assertThat(api.get("/api/databases?limit=0").error()).contains("limit must be between 1 and");
        assertThat(api.get("/api/databases?limit=many").error()).contains("'limit'");
        assertThat(api.get("/api/databases?offset=-1").error()).contains("offset must be 0 or more");
        assertThat(api.get("/api/databases?enabled_only=maybe").error()).contains("'enabled_only'");
        assertThat(api.get("/api/databases?limit=0").status()).isEqualTo(400);
    }

    @Test
    void listedDatabasesNeverHoldAPassword() {
        String token = unique("listed-secret");
        create(Map.of("name", token, "password", "listed-pw-3f7e"));

        NoPasswords.assertNone(api.get("/api/databases?search=" + Api.encode(token)), "listed-pw-3f7e");
    }

    /** A PostgreSQL database with its own credentials; {@code fields} override or add to the defaults. */
    private String create(Map<String, Object> fields) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", unique("db"), "database_type", "postgresql",
                "host", "list.example.com", "port", 5432, "database_name", unique("app"), "username", "u",
                "password", "p"));
        body.putAll(fields);
        if ("sqlite".equals(body.get("database_type"))) {
            body.keySet().removeAll(List.of("host", "port", "username", "password"));
        }
        List<Object> flat = new ArrayList<>();
        body.forEach((k, v) -> {
            flat.add(k);
            flat.add(v);
        });
        Api.Response r = api.post("/api/databases", Api.json(flat.toArray()));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    private static List<String> ids(Api.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode databases = r.json().path("databases");
        assertThat(r.json().path("count").asInt()).isEqualTo(databases.size());
        return databases.findValuesAsString("id");
    }
}

package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * The audit trail as a user queries it: every change shows up in {@code GET /api/audit} with the spec's fields, the
 * {@code 002_*} questions are one request each, bad parameters are 400s naming them, and the chain verifies and
 * exports for offline checking.
 */
class AuditApiIT extends ApiTest {

    @LocalServerPort
    private int port;

    @Autowired
    private RequestLog requestLog;

    private String createDatabase(String name) {
        Api.Response r = api.post("/api/databases", Api.json("name", name, "database_type", "postgresql",
                "host", "pg.example.com", "port", 5432, "database_name", unique("orders"), "username", "backup_user",
                "password", "secret123"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    private JsonNode only(String query) {
        Api.Response r = api.get("/api/audit?" + query);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("logs").size()).as(r.text()).isEqualTo(1);
        return r.json().path("logs").path(0);
    }

    @Test
    void aCreatedDatabaseShowsUpWithTheSpecFieldsAndWhoWhereAndHow() throws Exception {
        String name = "Audited " + unique("db");
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/databases"))
                .header("Content-Type", "application/json").header("User-Agent", "audit-test/1.0")
                .header("X-Request-Id", "req-audit-" + System.nanoTime())
                .POST(HttpRequest.BodyPublishers.ofString(Api.json("name", name, "database_type", "postgresql",
                        "host", "pg.example.com", "port", 5432, "database_name", "audited_orders", "username", "u",
                        "password", "secret123")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = Api.JSON.readTree(created.body()).path("database").path("id").asString();

        JsonNode e = only("action=database_created&resource_id=" + id);

        assertThat(e.path("id").asString()).startsWith("audit-");
        assertThat(e.path("action").asString()).isEqualTo("database_created");
        assertThat(e.path("resource_type").asString()).isEqualTo("database");
        assertThat(e.path("resource_name").asString()).isEqualTo(name);
        assertThat(e.path("user_id").asString()).isEqualTo("anonymous");
        assertThat(e.path("actor_type").asString()).isEqualTo("anonymous");
        assertThat(e.path("status").asString()).isEqualTo("success");
        assertThat(e.path("error_message").isNull()).isTrue();
        JsonNode details = e.path("details");
        assertThat(details.path("database_type").asString()).isEqualTo("postgresql");
        assertThat(details.path("host").asString()).isEqualTo("pg.example.com");
        assertThat(details.path("port").asInt()).isEqualTo(5432);
        assertThat(details.path("database_name").asString()).isEqualTo("audited_orders");
        assertThat(details.path("policy_id").asString()).isEqualTo("production-standard");
        assertThat(details.has("engine_id")).isTrue();
        assertThat(e.path("ip_address").asString()).isEqualTo("127.0.0.1");
        assertThat(e.path("user_agent").asString()).isEqualTo("audit-test/1.0");
        assertThat(e.path("request_id").asString())
                .isEqualTo(created.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(e.path("method").asString()).isEqualTo("POST");
        assertThat(e.path("path").asString()).isEqualTo("/api/databases");
        assertThat(e.path("timestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(e.path("category").asString()).isEqualTo("configuration");
        assertThat(e.path("severity").asString()).isEqualTo("info");
        assertThat(e.path("sequence").asLong()).isPositive();
        assertThat(e.path("hash").asString()).matches("[0-9a-f]{64}");
        assertThat(e.path("after").path("name").asString()).isEqualTo(name);
        assertThat(api.get("/api/audit?resource_id=" + id).text()).doesNotContain("secret123");
        assertThat(api.get("/api/audit/" + e.path("id").asString()).json()).isEqualTo(e);
    }

    @Test
    void whoChangedThisDatabaseAndWhatWasItBeforeIsOneRequest() {
        String id = createDatabase(unique("History"));
        assertThat(api.put("/api/databases/" + id, Api.json("port", 5433)).status()).isEqualTo(200);
        assertThat(api.put("/api/databases/" + id, Api.json("port", 5434)).status()).isEqualTo(200);

        Api.Response r = api.get("/api/audit/history?resource_type=database&resource_id=" + id);

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("resource_id").asString()).isEqualTo(id);
        assertThat(r.json().path("count").asInt()).isEqualTo(3);
        JsonNode events = r.json().path("events");
        assertThat(events.valueStream().map(e -> e.path("action").asString()))
                .containsExactly("database_updated", "database_updated", "database_created");
        JsonNode latest = events.path(0);
        assertThat(latest.path("before").path("port").asInt()).isEqualTo(5433);
        assertThat(latest.path("after").path("port").asInt()).isEqualTo(5434);
        assertThat(latest.path("changes").path("port").path("from").asInt()).isEqualTo(5433);
        assertThat(latest.path("changes").path("port").path("to").asInt()).isEqualTo(5434);
        assertThat(latest.path("sequence").asLong()).isGreaterThan(events.path(1).path("sequence").asLong());
    }

    @Test
    void allDeletionsInTheLastHourIsOneRequestAndEachHoldsTheDeletedRecord() {
        String name = unique("Doomed");
        String id = createDatabase(name);
        assertThat(api.delete("/api/databases/" + id).status()).isEqualTo(200);

        Api.Response r = api.get("/api/audit/by-action?action=database_deleted&hours=1&limit=1000");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("action").asString()).isEqualTo("database_deleted");
        assertThat(r.json().path("hours").asInt()).isEqualTo(1);
        JsonNode deletion = r.json().path("events").valueStream()
                .filter(e -> e.path("resource_id").asString().equals(id)).findFirst().orElseThrow();
        assertThat(deletion.path("before").path("name").asString()).isEqualTo(name);
        assertThat(deletion.path("before").path("host").asString()).isEqualTo("pg.example.com");
        assertThat(deletion.path("severity").asString()).isEqualTo("warning");
        assertThat(deletion.path("details").has("backups_deleted")).isTrue();
    }

    @Test
    void aMissingRequiredParameterIsA400ListingTheMissingNames() {
        Api.Response history = api.get("/api/audit/history");
        Api.Response byAction = api.get("/api/audit/by-action?hours=2");
        Api.Response range = api.get("/api/audit/time-range?start_time=2024-01-14T17:00:00Z");

        assertThat(history.status()).isEqualTo(400);
        assertThat(history.json().path("missing").valueStream().map(JsonNode::asString))
                .containsExactly("resource_type", "resource_id");
        assertThat(history.error()).contains("resource_type", "resource_id");
        assertThat(byAction.status()).isEqualTo(400);
        assertThat(byAction.json().path("missing").valueStream().map(JsonNode::asString)).containsExactly("action");
        assertThat(range.status()).isEqualTo(400);
        assertThat(range.json().path("missing").valueStream().map(JsonNode::asString)).containsExactly("end_time");
        assertThat(range.json().path("required").valueStream().map(JsonNode::asString))
                .containsExactly("start_time", "end_time");
    }

    @Test
    void badDatesLimitsAndValuesAre400sNamingTheParameter() {
        List<String[]> cases = List.of(
                new String[] {"/api/audit?limit=1001", "limit"},
                new String[] {"/api/audit?limit=0", "limit"},
                new String[] {"/api/audit?limit=ten", "limit"},
                new String[] {"/api/audit?start_date=2024-13-01", "start_date"},
                new String[] {"/api/audit?status=maybe", "status"},
                new String[] {"/api/audit?severity=loud", "severity"},
                new String[] {"/api/audit?gdpr_relevant=yes", "gdpr_relevant"},
                new String[] {"/api/audit?cursor=abc", "cursor"},
                new String[] {"/api/audit?exact_total=maybe", "exact_total"},
                new String[] {"/api/audit?cursor=5&offset=10", "cursor"},
                new String[] {"/api/audit/recent?days=366", "days"},
                new String[] {"/api/audit/recent?days=0", "days"},
                new String[] {"/api/audit/by-action?action=x&hours=-1", "hours"},
                new String[] {"/api/audit/history?resource_type=database&resource_id=x&limit=5000", "limit"},
                new String[] {"/api/audit/time-range?start_time=yesterday&end_time=2024-01-14T18:00:00Z", "start_time"},
                new String[] {"/api/audit/time-range?start_time=2024-01-14T18:00:00Z&end_time=2024-01-14T17:00:00Z",
                        "end_time"},
                new String[] {"/api/audit/verify?from_sequence=x", "from_sequence"},
                new String[] {"/api/audit/export?format=xml", "format"});
        for (String[] c : cases) {
            Api.Response r = api.get(c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.text()).isEqualTo(400);
            assertThat(r.error()).as(c[0]).contains(c[1]);
        }
    }

    @Test
    void theActionsAndResourceTypesInUseAreListedWithLabels() {
        createDatabase(unique("Labelled"));

        JsonNode actions = api.get("/api/audit/actions").json().path("actions");
        JsonNode types = api.get("/api/audit/resource-types").json().path("resource_types");

        assertThat(actions.valueStream().filter(a -> a.path("value").asString().equals("database_created")))
                .singleElement().satisfies(a -> assertThat(a.path("label").asString()).isEqualTo("Create Database"));
        assertThat(types.valueStream().filter(t -> t.path("value").asString().equals("database")))
                .singleElement().satisfies(t -> assertThat(t.path("label").asString()).isEqualTo("Database"));
        assertThat(actions.valueStream().map(a -> a.path("value").asString())).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void deepPagesFollowTheCursorAndSeeEveryEventOnce() {
        String prefix = unique("paged");
        for (int i = 0; i < 5; i++) {
            assertThat(api.post("/api/backup-policies", Api.json("name", prefix + "-" + i)).status()).isEqualTo(201);
        }
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response r = api.get("/api/audit?action=policy_created&search=" + prefix + "&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().path("total").asInt()).isEqualTo(5);
            assertThat(r.json().path("total_exact").asBoolean()).isTrue();
            r.json().path("logs").forEach(e -> names.add(e.path("resource_name").asString()));
            cursor = r.json().path("next_cursor").isNull() ? null : r.json().path("next_cursor").asString();
            assertThat(r.json().path("has_more").asBoolean()).isEqualTo(cursor != null);
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly(prefix + "-4", prefix + "-3", prefix + "-2", prefix + "-1", prefix + "-0");
    }

    @Test
    void aTimeRangeHoldsWhatHappenedInIt() {
        String id = createDatabase(unique("InRange"));
        Instant now = Instant.now();

        Api.Response in = api.get("/api/audit/time-range?start_time=" + now.minusSeconds(3600) + "&end_time="
                + now.plusSeconds(3600) + "&resource_type=database&resource_id=" + id);
        Api.Response later = api.get("/api/audit/time-range?start_time=" + now.plusSeconds(3600) + "&end_time="
                + now.plusSeconds(7200) + "&resource_id=" + id);
        Api.Response recent = api.get("/api/audit/recent?days=1&resource_id=" + id);

        assertThat(in.status()).as(in.text()).isEqualTo(200);
        assertThat(in.json().path("count").asInt()).isEqualTo(1);
        assertThat(later.json().path("count").asInt()).isZero();
        assertThat(recent.json().path("days").asInt()).isEqualTo(1);
        assertThat(recent.json().path("count").asInt()).isEqualTo(1);
    }

    @Test
    void theChainVerifiesAndItsPublicKeyIsServed() {
        createDatabase(unique("Verified"));

        Api.Response verify = api.get("/api/audit/verify");
        Api.Response key = api.get("/api/audit/public-key");

        assertThat(verify.status()).as(verify.text()).isEqualTo(200);
        assertThat(verify.json().path("valid").asBoolean()).as(verify.text()).isTrue();
        assertThat(verify.json().path("first_bad_sequence").isNull()).isTrue();
        assertThat(verify.json().path("checked_events").asLong()).isPositive();
        assertThat(key.json().path("algorithm").asString()).isEqualTo("Ed25519");
        PublicKeys.Key parsed = PublicKeys.parsePem(key.json().path("public_key_pem").asString());
        assertThat(parsed.keyId()).isEqualTo(key.json().path("key_id").asString())
                .isEqualTo(verify.json().path("public_key_id").asString());
    }

    @Test
    void anExportIsAuditedAndVerifiesOffline() throws IOException {
        String prefix = unique("exported");
        assertThat(api.post("/api/backup-policies", Api.json("name", prefix)).status()).isEqualTo(201);

        Api.Response jsonl = api.get("/api/audit/export?format=jsonl&resource_type=policy");
        Api.Response csv = api.get("/api/audit/export?format=csv&search=" + prefix);

        assertThat(jsonl.status()).as(jsonl.text()).isEqualTo(200);
        PublicKeys.Key key = PublicKeys.parsePem(api.get("/api/audit/public-key").json().path("public_key_pem").asString());
        ExportVerifier.Result result = ExportVerifier.verify(new BufferedReader(new StringReader(jsonl.text())), key);
        assertThat(result.valid()).as(result.problem()).isTrue();
        assertThat(result.filtered()).isTrue();
        assertThat(jsonl.text()).contains(prefix);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.text().lines().toList()).hasSize(2);
        assertThat(csv.text()).startsWith("sequence,id,timestamp,action,resource_type");
        JsonNode exported = only("action=audit_exported&limit=1");
        assertThat(exported.path("sensitive_data_accessed").asBoolean()).isTrue();
        assertThat(exported.path("details").path("format").asString()).isIn("jsonl", "csv");
    }

    @Test
    void everyRequestIsInTheRequestLogWithoutItsQueryString() {
        Api.Response probe = api.get("/api/backups/download?blob_name=nope&signature=abc");
        requestLog.flush();

        Api.Response r = api.get("/api/audit/requests?path=/api/backups/download&limit=5");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode logged = r.json().path("requests").path(0);
        assertThat(logged.path("method").asString()).isEqualTo("GET");
        assertThat(logged.path("path").asString()).isEqualTo("/api/backups/download");
        assertThat(logged.path("status").asInt()).isEqualTo(probe.status());
        assertThat(logged.path("duration_ms").asLong()).isNotNegative();
        assertThat(logged.path("user_id").asString()).isEqualTo("anonymous");
        assertThat(logged.path("ip_address").asString()).isEqualTo("127.0.0.1");
        assertThat(logged.path("request_id").asString()).isNotBlank();
        assertThat(r.text()).doesNotContain("signature=abc");
        assertThat(api.get("/api/audit/requests?status=" + probe.status() + "&method=get&limit=1").json()
                .path("requests").path(0).path("status").asInt()).isEqualTo(probe.status());
    }

    @Test
    void deletionsListTheDeletedRecordsAndTheirCascade() {
        String name = unique("Cascade");
        String id = createDatabase(name);
        assertThat(api.delete("/api/databases/" + id).status()).isEqualTo(200);

        Api.Response r = api.get("/api/audit/deletions?resource_type=database&hours=1&limit=1000");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("events").valueStream().map(e -> e.path("action").asString()).distinct())
                .containsOnly("database_deleted");
        JsonNode deletion = r.json().path("events").valueStream()
                .filter(e -> e.path("resource_id").asString().equals(id)).findFirst().orElseThrow();
        assertThat(deletion.path("before").path("name").asString()).isEqualTo(name);
        assertThat(deletion.path("details").has("backups_deleted")).isTrue();
        assertThat(deletion.path("details").has("records_deleted")).isTrue();
    }

    @Test
    void anUnknownEventIsA404() {
        Api.Response r = api.get("/api/audit/audit-doesnotexist");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.error()).contains("audit-doesnotexist");
    }
}

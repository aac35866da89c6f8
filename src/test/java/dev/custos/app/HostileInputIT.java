package dev.custos.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * Every endpoint the app serves, fed malformed and hostile input: bodies that are not JSON objects, wrong types
 * and nulls for every field, huge and deeply nested documents, NUL and unicode, SQL-looking ids and query
 * parameters, wrong content types and methods. Whatever arrives, the answer is never a 5xx, a 4xx always carries
 * {@code {"error": "..."}}, nothing shows internals, and a refused update changes nothing.
 */
class HostileInputIT extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String MEGABYTE = "x".repeat(1 << 20);

    /** What a body must never show: stack traces, our classes, the frameworks' classes and settings. */
    private static final List<String> INTERNALS = List.of("Exception", "at dev.custos", "dev.custos.", "java.lang",
            "org.springframework", "tools.jackson", "org.apache", "StreamReadConstraints", "`", "<html", "Whitelabel");

    /** A valid body of each writing endpoint, every field the spec knows; hostile tests break it field by field. */
    private static final Map<String, Object> ENGINE = body("name", unique("hostile-engine"), "engine_type", "postgresql",
            "host", "127.0.0.1", "port", 1, "auth_method", "user_password", "username", "backup", "password", "secret",
            "discovery_enabled", false, "discover_databases", false, "apply_to_all_databases", false);
    private static final Map<String, Object> DATABASE = body("name", unique("hostile-db"), "database_type", "postgresql",
            "engine_id", "{engine}", "use_engine_credentials", true, "host", "127.0.0.1", "port", 1,
            "database_name", unique("hostile"), "username", "backup", "password", "secret", "password_secret_name", "kv",
            "policy_id", "production-standard", "enabled", true, "compression", true, "backup_destination", "vault",
            "schedule", "0 2 * * *", "tags", body("team", "payments"));
    private static final Map<String, Object> POLICY = body("name", unique("hostile-policy"), "description", "d",
            "timezone", "UTC",
            "hourly", body("enabled", true, "keep_count", 24, "interval_hours", 1),
            "daily", body("enabled", true, "keep_count", 30, "time", "02:00"),
            "weekly", body("enabled", true, "keep_count", 8, "time", "02:00", "day_of_week", 0),
            "monthly", body("enabled", true, "keep_count", 24, "time", "02:00", "day_of_month", 1),
            "yearly", body("enabled", true, "keep_count", 5, "time", "02:00", "day_of_month", 1, "month", 1));
    private static final Map<String, Object> SETTINGS =
            body("dark_mode", true, "default_retention_days", 30, "default_compression", true);
    private static final Map<String, Object> BULK =
            body("blob_names", List.of("sqlite/db-x/20240101_000000.sqlite"));
    private static final Map<String, Object> RESTORE = body("create_snapshot", false, "strict_delete", false);
    private static final Map<String, Object> VERIFY = body("mode", "checksum");
    private static final Map<String, Object> LOCK = body("reason", "legal hold");
    private static final Map<String, Object> PREVIEW = body("policy_id", "production-standard", "timezone", "UTC",
            "daily", body("enabled", true, "keep_count", 3, "time", "02:00"));
    private static final Map<String, Object> IMPORT =
            body("import_databases", List.of("orders"), "policy_id", "production-standard");

    /**
     * Every endpoint of the API. {@code {engine}}, {@code {database}} and {@code {policy}} stand for ids of
     * resources made for this class; a DELETE gets a fresh one each time, since it may well succeed.
     */
    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/engines", null),
            new Endpoint("POST", "/api/engines", ENGINE),
            new Endpoint("GET", "/api/engines/{engine}", null),
            new Endpoint("PUT", "/api/engines/{engine}", ENGINE),
            new Endpoint("DELETE", "/api/engines/{engine}", null),
            new Endpoint("POST", "/api/engines/{engine}/test", null),
            new Endpoint("POST", "/api/engines/{engine}/discover", null),
            new Endpoint("POST", "/api/engines/{engine}/discover?import=true", IMPORT),
            new Endpoint("GET", "/api/databases", null),
            new Endpoint("POST", "/api/databases", DATABASE),
            new Endpoint("GET", "/api/databases/{database}", null),
            new Endpoint("PUT", "/api/databases/{database}", DATABASE),
            new Endpoint("DELETE", "/api/databases/{database}", null),
            new Endpoint("POST", "/api/databases/test-connection", DATABASE),
            new Endpoint("GET", "/api/backup-policies", null),
            new Endpoint("POST", "/api/backup-policies", POLICY),
            new Endpoint("GET", "/api/backup-policies/{policy}", null),
            new Endpoint("PUT", "/api/backup-policies/{policy}", POLICY),
            new Endpoint("DELETE", "/api/backup-policies/{policy}", null),
            new Endpoint("POST", "/api/databases/{database}/backup", null),
            new Endpoint("GET", "/api/backups", null),
            new Endpoint("GET", "/api/backups/{backup}", null),
            new Endpoint("GET", "/api/backups/{backup}/logs", null),
            new Endpoint("POST", "/api/backups/{backup}/cancel", null),
            new Endpoint("POST", "/api/backups/{backup}/lock", LOCK),
            new Endpoint("POST", "/api/backups/{backup}/unlock", LOCK),
            new Endpoint("GET", "/api/schedules", null),
            new Endpoint("GET", "/api/cleanup-history", null),
            new Endpoint("GET", "/api/databases/{database}/retention-preview", null),
            new Endpoint("POST", "/api/databases/{database}/retention-preview", PREVIEW),
            new Endpoint("POST", "/api/databases/{database}/retention/apply", null),
            new Endpoint("GET", "/api/backups/files", null),
            new Endpoint("GET", "/api/backups/download?blob_name=sqlite/db-x/20240101_000000.sqlite", null),
            new Endpoint("GET", "/api/backups/download/file?blob_name=a/b/c&expires=1&signature=00", null),
            new Endpoint("DELETE", "/api/backups/delete?blob_name=sqlite/db-x/20240101_000000.sqlite", null),
            new Endpoint("POST", "/api/backups/delete-bulk", BULK),
            new Endpoint("POST", "/api/backups/{backup}/restore", RESTORE),
            new Endpoint("POST", "/api/backups/{backup}/verify", VERIFY),
            new Endpoint("GET", "/api/restores", null),
            new Endpoint("GET", "/api/restores/{restore}", null),
            new Endpoint("GET", "/api/restores/{restore}/logs", null),
            new Endpoint("POST", "/api/restores/{restore}/cancel", null),
            new Endpoint("POST", "/api/restores/{restore}/rollback", null),
            new Endpoint("POST", "/api/restores/upload?target_database_id={database}&confirm=x", null),
            new Endpoint("GET", "/api/encryption-keys", null),
            new Endpoint("POST", "/api/encryption-keys/rotate", null),
            new Endpoint("GET", "/api/settings", null),
            new Endpoint("PUT", "/api/settings", SETTINGS),
            new Endpoint("GET", "/api/audit", null),
            new Endpoint("GET", "/api/audit/{audit}", null),
            new Endpoint("GET", "/api/audit/actions", null),
            new Endpoint("GET", "/api/audit/resource-types", null),
            // A resource's history is asked by id and answers an empty list for an id without events (a deleted
            // resource's history stays readable), so its id is not a path placeholder.
            new Endpoint("GET", "/api/audit/history?resource_type=database&resource_id=db-history", null),
            new Endpoint("GET", "/api/audit/recent", null),
            new Endpoint("GET", "/api/audit/by-action?action=database_created", null),
            new Endpoint("GET", "/api/audit/time-range?start_time=2024-01-01T00:00:00Z&end_time=2099-01-01T00:00:00Z", null),
            new Endpoint("GET", "/api/audit/verify", null),
            new Endpoint("GET", "/api/audit/public-key", null),
            new Endpoint("GET", "/api/audit/checkpoints", null),
            new Endpoint("GET", "/api/audit/export", null),
            new Endpoint("GET", "/api/audit/deletions", null),
            new Endpoint("GET", "/api/audit/requests", null),
            new Endpoint("POST", "/api/audit/archive", null),
            new Endpoint("GET", "/api/api-keys", null),
            new Endpoint("POST", "/api/api-keys", null),
            new Endpoint("GET", "/api/security-events", null),
            new Endpoint("GET", "/api/access-requests", null),
            new Endpoint("POST", "/api/access-requests", null),
            new Endpoint("GET", "/api/security-events/summary", null),
            new Endpoint("GET", "/api/system-status", null),
            new Endpoint("GET", "/api/health", null));

    /** Bodies that are not a JSON object, or not JSON at all. */
    private static final Map<String, String> NOT_AN_OBJECT = body(
            "invalid JSON", "{\"name\": }",
            "truncated JSON", "{\"name\": \"x\"",
            "single quotes", "{'name': 'x'}",
            "trailing garbage", "{} trailing",
            "comment", "/* hi */ {}",
            "NaN", "{\"port\": NaN}",
            "JSON array", "[]",
            "array of objects", "[{\"name\": \"x\"}]",
            "JSON string", "\"engine\"",
            "JSON number", "42",
            "JSON boolean", "true",
            "control characters", "\u0000\u0001\u001f",
            "1 MB of junk", MEGABYTE,
            "10,000 nested arrays", "[".repeat(10_000) + "]".repeat(10_000),
            "10,000 nested objects", "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000),
            "number of 2,000 digits", "{\"port\": " + "9".repeat(2_000) + "}",
            "name of 60,000 characters", "{\"" + "k".repeat(60_000) + "\": 1}");

    /** What replaces one field at a time: every JSON type, null, edges of numbers, hostile strings. */
    private static final List<Object> HOSTILE_VALUES = Arrays.asList(null, true, false, 0, -1, 2_147_483_648L,
            Long.MIN_VALUE, new BigInteger("99999999999999999999999"), 1.5, -0.0, 1e308, "", "   ", "x",
            "' OR '1'='1' --", "x'); DROP TABLE engines; --", "a\u0000b", "😀 日本語 \u202e\u200b", "../../etc/passwd",
            "<script>alert(1)</script>", List.of(), List.of(1, "x", List.of()), Map.of(), Map.of("a", Map.of("b", List.of())));

    /** Ids as a path segment, already percent-encoded where needed. */
    private static final List<String> HOSTILE_IDS = List.of("nope", "engine-", "policy-x", "%27%20OR%20%271%27%3D%271",
            "1%3B%20DROP%20TABLE%20databases", "%00", "a%00b", "%2F", "%2e%2e%2f", "%5C", "..", "%25", "%20",
            "%F0%9F%98%80", "%E2%80%AE", "null", "-1", "0", "x".repeat(5_000), "a;b=c", "%3Cscript%3E");

    /** Query strings, percent-encoded where needed; unknown ones must be ignored, known ones validated. */
    private static final List<String> HOSTILE_QUERIES = List.of("limit=abc", "limit=-1", "limit=0", "limit=1e3",
            "limit=99999999999999999999", "limit=", "offset=x", "offset=-5", "offset=99999999999", "offset=2147483647",
            "type=%27%20OR%201%3D1--", "type=", "search=%27%20OR%20%271%27%3D%271", "search=x%27%3B%20DROP%20TABLE%20databases%3B--",
            "search=%00", "search=%25%5F%5C", "search=" + "s".repeat(5_000), "enabled_only=maybe", "enabled_only=",
            "host=..%2F..%2F", "policy_id=%27", "engine_id=%00", "include=bogus", "include=", "include=ALL",
            "import=maybe", "delete_databases=maybe", "delete_backups=2", "move_to=%27%20OR%201%3D1--", "move_to=",
            "limit=1&limit=2", "page=abc", "page=0", "page=99999999999", "page_size=101", "page_size=-1",
            "status=%27", "start_date=2024-13-45", "end_date=%00", "triggered_by=", "database_type=x",
            "blob_name=..%2F..%2Fetc%2Fpasswd", "blob_name=%2Fetc%2Fpasswd", "blob_name=a%00b", "blob_name=",
            "expiry_hours=0", "expiry_hours=abc", "expiry_hours=99999999999", "prefix=..%2F", "prefix=%00",
            "expires=x", "signature=%27", "cursor=abc", "cursor=0", "days=366", "hours=-1", "start_time=yesterday",
            "end_time=2024-02-30T00:00:00Z", "from_sequence=x", "to_sequence=-1", "format=xml", "severity=%27",
            "category=", "gdpr_relevant=maybe", "min_duration_ms=x", "status=700", "=", "&&&", "a=1&".repeat(1_500), "x=" + "q".repeat(20_000));

    /** Query strings java.net.URI refuses to send, so they go over a raw socket. */
    private static final List<String> MALFORMED_QUERIES = List.of("limit=%ZZ", "%ZZ=1", "search=%", "offset=%E0%80");

    /** Content types that are not JSON, or JSON with a charset no one knows. */
    private static final List<String> WRONG_CONTENT_TYPES = List.of("text/plain", "application/xml",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=bogus",
            "application/octet-stream", ";;;");

    private static String engineId;
    private static String databaseId;
    private static String policyId;

    @LocalServerPort
    private int port;

    record Endpoint(String method, String path, Map<String, Object> template) {

        boolean readsBody() {
            return template != null;
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static Stream<Endpoint> endpoints() {
        return ENDPOINTS.stream();
    }

    static Stream<Endpoint> bodyEndpoints() {
        return ENDPOINTS.stream().filter(Endpoint::readsBody);
    }

    static Stream<Endpoint> idEndpoints() {
        return ENDPOINTS.stream().filter(e -> e.path().contains("{"));
    }

    @BeforeEach
    void fixtures() {
        if (engineId == null) {
            engineId = createEngine();
            policyId = createPolicy();
            databaseId = createDatabase(policyId);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void aBodyThatIsNotAJsonObjectIsRefusedCleanly(Endpoint endpoint) {
        SoftAssertions softly = new SoftAssertions();
        NOT_AN_OBJECT.forEach((label, body) -> {
            Api.Response r = send(endpoint, "application/json", body);
            assertSafe(softly, endpoint + " with " + label, r);
            if (endpoint.readsBody()) {
                softly.assertThat(r.status()).as(endpoint + " with " + label + " -> " + shorten(r)).isEqualTo(400);
            }
        });
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anEmptyOrNullBodyIsAnsweredCleanly(Endpoint endpoint) {
        SoftAssertions softly = new SoftAssertions();
        for (String body : Arrays.asList(null, "", "null", "{}", "   ")) {
            assertSafe(softly, endpoint + " with body [" + body + "]", send(endpoint, "application/json", body));
        }
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyEndpoints")
    void everyFieldWithAWrongTypeNullOrHostileValueIsAnsweredCleanly(Endpoint endpoint) {
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, Map<String, Object>> variant : variants(endpoint.template()).entrySet()) {
            assertSafe(softly, endpoint + " with " + variant.getKey(),
                    send(endpoint, "application/json", json(variant.getValue())));
        }
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyEndpoints")
    void everyFieldNullAtOnceOrAMegabyteLongIsAnsweredCleanly(Endpoint endpoint) {
        Map<String, Object> allNull = new LinkedHashMap<>();
        Map<String, Object> allHuge = new LinkedHashMap<>();
        Map<String, Object> allLong = new LinkedHashMap<>();
        endpoint.template().keySet().forEach(field -> {
            allNull.put(field, null);
            allHuge.put(field, MEGABYTE);
            allLong.put(field, MEGABYTE.substring(0, 32 * 1024));
        });
        SoftAssertions softly = new SoftAssertions();

        assertSafe(softly, endpoint + " with every field null", send(endpoint, "application/json", json(allNull)));
        // Over the request body limit (custos.max-request-body, 1 MB): refused before it is read.
        Api.Response huge = send(endpoint, "application/json", json(allHuge));
        assertSafe(softly, endpoint + " with every field 1 MB long", huge);
        softly.assertThat(huge.status()).as(endpoint + " with every field 1 MB long -> " + shorten(huge)).isEqualTo(413);
        // Under the limit, but longer than any field allows: a 400 naming the fields.
        Api.Response tooLong = send(endpoint, "application/json", json(allLong));
        assertSafe(softly, endpoint + " with every field 32 KB long", tooLong);
        softly.assertThat(tooLong.status()).as(endpoint + " with every field 32 KB long -> " + shorten(tooLong)).isEqualTo(400);
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idEndpoints")
    void aHostileIdIsAClientError(Endpoint endpoint) {
        SoftAssertions softly = new SoftAssertions();
        for (String id : HOSTILE_IDS) {
            String path = endpoint.path().replaceAll("\\{[a-z]+}", id);
            Api.Response r = api.send(endpoint.method(), path, "application/json",
                    endpoint.readsBody() ? json(endpoint.template()) : null);
            String label = endpoint.method() + " " + shorten(path);
            assertSafe(softly, label, r);
            softly.assertThat(r.status()).as(label + " -> " + shorten(r)).isBetween(400, 499);
        }
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void hostileQueryParametersAreAnsweredCleanly(Endpoint endpoint) {
        SoftAssertions softly = new SoftAssertions();
        for (String query : HOSTILE_QUERIES) {
            String path = resolve(endpoint);
            path += (path.contains("?") ? "&" : "?") + query;
            Api.Response r = api.send(endpoint.method(), path, "application/json",
                    endpoint.readsBody() ? json(resolveBody(endpoint)) : null);
            assertSafe(softly, endpoint + " ?" + shorten(query), r);
        }
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void aMalformedlyEncodedQueryStringIsAnsweredCleanly(Endpoint endpoint) throws IOException {
        SoftAssertions softly = new SoftAssertions();
        for (String query : MALFORMED_QUERIES) {
            String path = resolve(endpoint);
            path += (path.contains("?") ? "&" : "?") + query;
            assertSafe(softly, endpoint + " ?" + query, raw(endpoint.method(), path));
        }
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void aWrongContentTypeIsAnsweredCleanly(Endpoint endpoint) {
        SoftAssertions softly = new SoftAssertions();
        for (String contentType : WRONG_CONTENT_TYPES) {
            Api.Response r = send(endpoint, contentType, endpoint.readsBody() ? json(resolveBody(endpoint)) : "<a/>");
            assertSafe(softly, endpoint + " as " + contentType, r);
            if (endpoint.readsBody() && !contentType.startsWith("application/json")) {
                softly.assertThat(r.status()).as(endpoint + " as " + contentType + " -> " + shorten(r)).isEqualTo(415);
            }
        }
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyEndpoints")
    void aJsonBodyWithoutContentTypeIsRefusedCleanly(Endpoint endpoint) {
        Api.Response r = send(endpoint, null, json(resolveBody(endpoint)));

        SoftAssertions softly = new SoftAssertions();
        assertSafe(softly, endpoint + " without Content-Type", r);
        softly.assertThat(r.status()).as(shorten(r)).isEqualTo(415);
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anUnsupportedMethodIs405(Endpoint endpoint) {
        SoftAssertions softly = new SoftAssertions();
        for (String method : List.of("PATCH", "TRACE", "BREW")) {
            Api.Response r = api.send(method, resolve(endpoint), "application/json", "{}");
            assertSafe(softly, method + " " + endpoint.path(), r);
            softly.assertThat(r.status()).as(method + " " + endpoint.path() + " -> " + shorten(r)).isEqualTo(405);
        }
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void aClientThatAcceptsOnlyHtmlOrXmlStillGetsJsonErrors(Endpoint endpoint) throws Exception {
        SoftAssertions softly = new SoftAssertions();
        for (String accept : List.of("text/html", "application/xml", "image/png")) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + resolve(endpoint)))
                    .header("Accept", accept).header("Content-Type", "application/json")
                    .method(endpoint.method(), HttpRequest.BodyPublishers.ofString("[]")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertSafe(softly, endpoint + " accepting " + accept, new Api.Response(r.statusCode(), r.body()));
        }
        softly.assertAll();
    }

    @Test
    void refusedUpdatesLeaveEveryResourceAsItWas() {
        String engine = createEngine();
        String policy = createPolicy();
        String database = createDatabase(policy);
        Map<String, Supplier<JsonNode>> resources = new LinkedHashMap<>();
        resources.put("/api/engines/" + engine, () -> api.get("/api/engines/" + engine).json());
        resources.put("/api/databases/" + database, () -> api.get("/api/databases/" + database).json());
        resources.put("/api/backup-policies/" + policy, () -> api.get("/api/backup-policies/" + policy).json());
        resources.put("/api/settings", () -> api.get("/api/settings").json());
        Map<String, JsonNode> before = new LinkedHashMap<>();
        resources.forEach((path, read) -> before.put(path, read.get()));
        List<String> refused = new ArrayList<>(NOT_AN_OBJECT.values());
        refused.addAll(List.of(
                Api.json("name", 42, "port", "5432", "enabled", "yes", "dark_mode", "yes", "daily", "every day"),
                Api.json("name", MEGABYTE.substring(0, 300 * 1024), "default_retention_days", 0),
                Api.json("name", "a\u0000b", "default_compression", List.of()),
                Api.json("name", "", "default_retention_days", "30"),
                Api.json("name", Map.of("$ne", ""), "default_retention_days", 1e308)));

        SoftAssertions softly = new SoftAssertions();
        for (String path : resources.keySet()) {
            for (String body : refused) {
                Api.Response r = api.put(path, body);
                softly.assertThat(r.status()).as("PUT " + path + " " + shorten(body) + " -> " + shorten(r)).isEqualTo(400);
            }
            softly.assertThat(api.send("PUT", path, "text/plain", "{\"name\": \"plain\"}").status()).isEqualTo(415);
        }
        resources.forEach((path, read) -> softly.assertThat(read.get()).as(path).isEqualTo(before.get(path)));
        softly.assertAll();
    }

    @Test
    void aBadlyEncodedLimitIsA400() throws IOException {
        Api.Response r = raw("GET", "/api/databases?limit=%ZZ");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).startsWith("The query string is malformed");
    }

    @Test
    void sqlInSearchAndIdsFindsNothingAndDropsNothing() {
        // Names here may hold SQL-looking text (other tests create them), so the tautology starts with a unique part.
        Api.Response orTrue = api.get("/api/databases?search=" + Api.encode(unique("zz") + "' OR '1'='1"));
        Api.Response drop = api.get("/api/databases?search=" + Api.encode("x'; DROP TABLE databases; --"));
        Api.Response byId = api.get("/api/databases/" + Api.encode("' OR '1'='1"));

        assertThat(orTrue.status()).isEqualTo(200);
        assertThat(orTrue.json().path("total").asLong()).isZero();
        assertThat(drop.status()).isEqualTo(200);
        assertThat(byId.status()).isEqualTo(404);
        assertThat(api.get("/api/databases/" + databaseId).status()).isEqualTo(200);
        assertThat(api.get("/api/databases").json().path("total").asLong()).isPositive();
    }

    @Test
    void unicodeIsStoredAndReturnedAsSent() {
        String name = unique("Sauvegarde 😀 日本語 \u202eRTL Ωμέγα");

        Api.Response created = api.post("/api/backup-policies", Api.json("name", name, "description", "naïve café"));

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode policy = api.get("/api/backup-policies/" + created.json().path("policy").path("id").asString())
                .json().path("policy");
        assertThat(policy.path("name").asString()).isEqualTo(name);
        assertThat(policy.path("description").asString()).isEqualTo("naïve café");
    }

    @Test
    void aNulCharacterIsRefusedNamingTheField() {
        Api.Response body = api.post("/api/backup-policies", Api.json("name", "a\u0000b"));
        Api.Response query = api.get("/api/databases?host=a%00b");
        Api.Response path = api.get("/api/databases/a%00b");

        assertThat(body.status()).isEqualTo(400);
        assertThat(body.error()).isEqualTo("name must not contain NUL characters");
        assertThat(query.status()).isEqualTo(400);
        assertThat(query.error()).isEqualTo("Query parameter 'host' must not contain NUL characters");
        assertThat(path.status()).isEqualTo(400);
        assertThat(path.error()).isNotBlank();
    }

    @Test
    void malformedJsonIsNamedWithoutParserInternals() {
        Api.Response nested = api.put("/api/settings", "[".repeat(10_000) + "]".repeat(10_000));
        Api.Response nan = api.put("/api/settings", "{\"default_retention_days\": NaN}");
        Api.Response truncated = api.put("/api/settings", "{\"dark_mode\": [true");

        assertThat(nested.error()).startsWith("Request body is not valid JSON: Document nesting depth")
                .contains("exceeds the maximum allowed (500)");
        assertThat(nan.error()).isEqualTo("Request body is not valid JSON: Non-standard token 'NaN'");
        assertThat(truncated.error()).startsWith("Request body is not valid JSON: ").doesNotContain("Source");
    }

    // --- helpers

    /** One HTTP/1.1 request written by hand, for what java.net.URI will not send. */
    private Api.Response raw(String method, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Latin-1 keeps one char per byte, so chunk sizes (in bytes) can be counted in chars.
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(response.substring(9, 12));
            String head = response.substring(0, response.indexOf("\r\n\r\n"));
            String body = response.substring(head.length() + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                body = unchunk(body);
            }
            return new Api.Response(status,
                    new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        }
    }

    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static void assertSafe(SoftAssertions softly, String label, Api.Response r) {
        String shown = label + " -> " + shorten(r);
        softly.assertThat(r.status()).as(shown).isBetween(200, 499);
        if (r.status() >= 400) {
            JsonNode json = parseOrNull(r.text());
            softly.assertThat(json != null && json.isObject()).as(shown + " is a JSON object").isTrue();
            if (json != null) {
                softly.assertThat(json.path("error").isString()).as(shown + " has an error string").isTrue();
                softly.assertThat(json.path("error").asString("")).as(shown).isNotBlank();
            }
        }
        // Errors are ours and must not show parser or framework internals. A 200 may carry a dump tool's own words
        // (a backup's error_message or warnings quote names in `backquotes`), which are data, not internals.
        for (String internal : r.status() >= 400 ? INTERNALS : List.<String>of()) {
            softly.assertThat(r.text() == null || !r.text().contains(internal))
                    .as(shown + " shows no internals (" + internal + ")").isTrue();
        }
    }

    private static JsonNode parseOrNull(String text) {
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The template with one field (or one field of a nested object) replaced by each hostile value. */
    private Map<String, Map<String, Object>> variants(Map<String, Object> template) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Map<String, Object> base = resolve(template);
        for (String field : base.keySet()) {
            for (Object value : HOSTILE_VALUES) {
                Map<String, Object> variant = new LinkedHashMap<>(base);
                variant.put(field, value);
                out.put(field + " = " + shorten(String.valueOf(value)), variant);
            }
            if (base.get(field) instanceof Map<?, ?> nested) {
                for (Object key : nested.keySet()) {
                    for (Object value : HOSTILE_VALUES) {
                        Map<String, Object> inner = new LinkedHashMap<>(castMap(nested));
                        inner.put((String) key, value);
                        Map<String, Object> variant = new LinkedHashMap<>(base);
                        variant.put(field, inner);
                        out.put(field + "." + key + " = " + shorten(String.valueOf(value)), variant);
                    }
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private Api.Response send(Endpoint endpoint, String contentType, String body) {
        return api.send(endpoint.method(), resolve(endpoint), contentType, body);
    }

    /** The path with real ids: the shared resources, or a fresh one for a DELETE. */
    private String resolve(Endpoint endpoint) {
        boolean delete = endpoint.method().equals("DELETE");
        String path = endpoint.path();
        if (path.contains("{engine}")) {
            path = path.replace("{engine}", delete ? createEngine() : engineId);
        }
        if (path.contains("{database}")) {
            path = path.replace("{database}", delete ? createDatabase("production-standard") : databaseId);
        }
        // No restore exists for these tests to find: every {restore} call answers 404, never 500.
        path = path.replace("{restore}", "restore-0000000000000000000000000");
        path = path.replace("{audit}", "audit-0000000000000000000000000");
        if (path.contains("{backup}")) {
            path = path.replace("{backup}", backupId());
        }
        if (path.contains("{policy}")) {
            path = path.replace("{policy}", delete ? createPolicy() : policyId);
        }
        return path;
    }

    private Map<String, Object> resolveBody(Endpoint endpoint) {
        return resolve(endpoint.template());
    }

    /** The template with the {@code {engine}} placeholder replaced by the shared engine's id. */
    private Map<String, Object> resolve(Map<String, Object> template) {
        Map<String, Object> out = new LinkedHashMap<>(template);
        out.replaceAll((k, v) -> "{engine}".equals(v) ? engineId : v);
        return out;
    }

    private static String backupId;

    /** A backup of the shared database (its file does not exist, so the backup fails at once). */
    private String backupId() {
        if (backupId == null) {
            Api.Response r = api.post("/api/databases/" + databaseId + "/backup", "");
            assertThat(r.status()).as(r.text()).isIn(202, 409);
            backupId = r.status() == 202 ? r.json().path("backup_id").asString()
                    : api.get("/api/backups?database_id=" + databaseId).json().path("backups").path(0).path("id").asString();
        }
        return backupId;
    }

    private String createEngine() {
        Api.Response r = api.post("/api/engines", Api.json("name", unique("target-engine"), "engine_type", "postgresql",
                "host", "127.0.0.1", "port", 1, "username", "backup", "password", "secret"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("engine").path("id").asString();
    }

    private String createPolicy() {
        Api.Response r = api.post("/api/backup-policies", Api.json("name", unique("target-policy"),
                "daily", Map.of("enabled", true, "keep_count", 7)));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("policy").path("id").asString();
    }

    private String createDatabase(String policy) {
        String name = unique("target-db");
        Api.Response r = api.post("/api/databases", Api.json("name", name, "database_type", "sqlite",
                "database_name", dataDir().resolve(name + ".db").toString(), "policy_id", policy));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    private static String json(Map<String, Object> body) {
        return JSON.writeValueAsString(body);
    }

    private static String shorten(Object value) {
        String s = String.valueOf(value);
        return s.length() > 160 ? s.substring(0, 160) + "…(" + s.length() + " chars)" : s;
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> body(Object... keysAndValues) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return map;
    }
}

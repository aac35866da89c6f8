package dev.custos.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/** {@code /api/backup-policies} as a user of the spec drives it: GFS tiers, validation, system policy, audit. */
class PolicyApiIT extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The tiers of the spec's {@code POST /api/backup-policies} example, every one enabled. */
    private static final Map<String, Object> HOURLY = Map.of("enabled", true, "keep_count", 24, "interval_hours", 1);
    private static final Map<String, Object> DAILY = Map.of("enabled", true, "keep_count", 30, "time", "02:00");
    private static final Map<String, Object> WEEKLY =
            Map.of("enabled", true, "keep_count", 8, "time", "02:00", "day_of_week", 0);
    private static final Map<String, Object> MONTHLY =
            Map.of("enabled", true, "keep_count", 24, "time", "02:00", "day_of_month", 1);
    private static final Map<String, Object> YEARLY =
            Map.of("enabled", true, "keep_count", 5, "time", "02:00", "day_of_month", 1, "month", 1);

    @Autowired
    private JdbcClient catalog;

    @Test
    void createsAPolicyWithAllFiveTiersOfTheSpecExample() {
        String name = unique("High Retention Policy");

        Api.Response r = api.post("/api/backup-policies", specExample(name));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().path("message").asString()).isEqualTo("Backup policy created");
        JsonNode policy = r.json().path("policy");
        assertThat(policy.path("id").asString()).startsWith("policy-");
        assertThat(policy.path("name").asString()).isEqualTo(name);
        assertThat(policy.path("description").asString()).isEqualTo("For critical databases");
        assertThat(policy.path("is_system").asBoolean()).isFalse();
        assertThat(policy.path("hourly")).isEqualTo(JSON.valueToTree(HOURLY));
        assertThat(policy.path("daily")).isEqualTo(JSON.valueToTree(DAILY));
        assertThat(policy.path("weekly")).isEqualTo(JSON.valueToTree(WEEKLY));
        assertThat(policy.path("monthly")).isEqualTo(JSON.valueToTree(MONTHLY));
        assertThat(policy.path("yearly")).isEqualTo(JSON.valueToTree(YEARLY));
        assertThat(policy.path("created_at").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(policy.path("updated_at").asString()).isEqualTo(policy.path("created_at").asString());
    }

    @Test
    void eachTierShowsOnlyItsOwnScheduleFields() {
        JsonNode policy = create(specExample(unique("fields")));

        assertThat(fieldNames(policy.path("hourly"))).containsExactlyInAnyOrder("enabled", "keep_count", "interval_hours");
        assertThat(fieldNames(policy.path("daily"))).containsExactlyInAnyOrder("enabled", "keep_count", "time");
        assertThat(fieldNames(policy.path("weekly")))
                .containsExactlyInAnyOrder("enabled", "keep_count", "time", "day_of_week");
        assertThat(fieldNames(policy.path("monthly")))
                .containsExactlyInAnyOrder("enabled", "keep_count", "time", "day_of_month");
        assertThat(fieldNames(policy.path("yearly")))
                .containsExactlyInAnyOrder("enabled", "keep_count", "time", "day_of_month", "month");
    }

    @Test
    void fieldsOfAnotherTierAreNotKept() {
        JsonNode policy = create(Api.json("name", unique("stray"),
                "daily", Map.of("enabled", true, "keep_count", 7, "time", "03:00", "day_of_week", 3, "month", 5)));

        assertThat(fieldNames(policy.path("daily"))).containsExactlyInAnyOrder("enabled", "keep_count", "time");
    }

    @Test
    void aTierNotGivenIsDisabled() {
        JsonNode policy = create(Api.json("name", unique("only-daily"), "daily", DAILY));

        for (String tier : List.of("hourly", "weekly", "monthly", "yearly")) {
            assertThat(policy.path(tier).path("enabled").asBoolean()).as(tier).isFalse();
            assertThat(policy.path(tier).path("keep_count").asInt()).as(tier).isZero();
        }
    }

    @Test
    void getReturnsThePolicyAndTheListHasIt() {
        JsonNode created = create(specExample(unique("readable")));
        String id = created.path("id").asString();

        Api.Response one = api.get("/api/backup-policies/" + id);
        Api.Response all = api.get("/api/backup-policies");

        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().path("policy")).isEqualTo(created);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().path("count").asInt()).isEqualTo(all.json().path("policies").size());
        assertThat(all.json().path("policies").valueStream()).contains(created);
    }

    @Test
    void updateChangesNameAndTiersAndKeepsCreatedAt() {
        JsonNode created = create(specExample(unique("before")));
        String id = created.path("id").asString();
        String newName = unique("Updated Policy Name");

        Api.Response r = api.put("/api/backup-policies/" + id, Api.json("name", newName,
                "daily", Map.of("enabled", true, "keep_count", 14, "time", "03:00")));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("message").asString()).isEqualTo("Backup policy updated");
        JsonNode policy = api.get("/api/backup-policies/" + id).json().path("policy");
        assertThat(policy.path("name").asString()).isEqualTo(newName);
        assertThat(policy.path("daily")).isEqualTo(JSON.valueToTree(Map.of("enabled", true, "keep_count", 14, "time", "03:00")));
        assertThat(policy.path("created_at")).isEqualTo(created.path("created_at"));
        assertThat(policy.path("updated_at").asString()).isGreaterThanOrEqualTo(created.path("updated_at").asString());
    }

    @Test
    void aPartialUpdateOfOneTierKeepsItsOtherFieldsAndTheOtherTiers() {
        JsonNode created = create(specExample(unique("partial")));
        String id = created.path("id").asString();

        Api.Response r = api.put("/api/backup-policies/" + id, Api.json("weekly", Map.of("keep_count", 12)));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode policy = api.get("/api/backup-policies/" + id).json().path("policy");
        assertThat(policy.path("weekly")).isEqualTo(
                JSON.valueToTree(Map.of("enabled", true, "keep_count", 12, "time", "02:00", "day_of_week", 0)));
        for (String unchanged : List.of("name", "description", "timezone", "hourly", "daily", "monthly", "yearly")) {
            assertThat(policy.path(unchanged)).as(unchanged).isEqualTo(created.path(unchanged));
        }
    }

    @Test
    void aTimezoneIsKeptInItsCanonicalForm() {
        JsonNode policy = create(Api.json("name", unique("berlin"), "timezone", "Europe/Berlin"));

        assertThat(policy.path("timezone").asString()).isEqualTo("Europe/Berlin");
    }

    /** Each invalid body and the field its 400 must name. */
    static Stream<Arguments> invalidPolicies() {
        return Stream.of(
                Arguments.of(Map.of("daily", Map.of("time", "24:00")), "daily.time"),
                Arguments.of(Map.of("daily", Map.of("time", "2:00")), "daily.time"),
                Arguments.of(Map.of("daily", Map.of("time", "aa")), "daily.time"),
                Arguments.of(Map.of("daily", Map.of("time", "02:60")), "daily.time"),
                Arguments.of(Map.of("weekly", Map.of("day_of_week", 7)), "weekly.day_of_week"),
                Arguments.of(Map.of("weekly", Map.of("day_of_week", -1)), "weekly.day_of_week"),
                Arguments.of(Map.of("monthly", Map.of("day_of_month", 0)), "monthly.day_of_month"),
                Arguments.of(Map.of("monthly", Map.of("day_of_month", 32)), "monthly.day_of_month"),
                Arguments.of(Map.of("yearly", Map.of("month", 13)), "yearly.month"),
                Arguments.of(Map.of("yearly", Map.of("month", 0)), "yearly.month"),
                Arguments.of(Map.of("yearly", Map.of("day_of_month", 32)), "yearly.day_of_month"),
                Arguments.of(Map.of("hourly", Map.of("interval_hours", 0)), "hourly.interval_hours"),
                Arguments.of(Map.of("hourly", Map.of("interval_hours", 25)), "hourly.interval_hours"),
                Arguments.of(Map.of("daily", Map.of("keep_count", -1)), "daily.keep_count"),
                Arguments.of(Map.of("daily", Map.of("enabled", true, "keep_count", 0)), "daily.keep_count"),
                Arguments.of(Map.of("timezone", "Mars/Base"), "timezone"),
                Arguments.of(Map.of("timezone", 1), "timezone"),
                Arguments.of(Map.of("daily", "every day"), "daily"),
                Arguments.of(Map.of("daily", List.of(1)), "daily"),
                Arguments.of(Map.of("daily", Map.of("enabled", "yes")), "daily.enabled"),
                Arguments.of(Map.of("daily", Map.of("keep_count", "7")), "daily.keep_count"),
                Arguments.of(Map.of("daily", Map.of("keep_count", 1.5)), "daily.keep_count"),
                Arguments.of(Map.of("daily", Map.of("time", 200)), "daily.time"),
                Arguments.of(Map.of("weekly", Map.of("day_of_week", "sunday")), "weekly.day_of_week"),
                Arguments.of(Map.of("description", List.of("x")), "description"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("invalidPolicies")
    void anInvalidPolicyIsRefusedNamingTheFieldAndNotCreated(Map<String, Object> fields, String field) {
        String name = unique("invalid");
        Map<String, Object> body = new java.util.LinkedHashMap<>(fields);
        body.put("name", name);

        Api.Response r = api.post("/api/backup-policies", JSON.writeValueAsString(body));

        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).startsWith(field + " ");
        assertThat(names()).doesNotContain(name);
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("invalidPolicies")
    void anInvalidUpdateIsRefusedNamingTheFieldAndChangesNothing(Map<String, Object> fields, String field) {
        JsonNode created = create(specExample(unique("stays")));
        String id = created.path("id").asString();

        Api.Response r = api.put("/api/backup-policies/" + id, JSON.writeValueAsString(fields));

        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).startsWith(field + " ");
        assertThat(api.get("/api/backup-policies/" + id).json().path("policy")).isEqualTo(created);
    }

    @Test
    void aPolicyNeedsAName() {
        Api.Response missing = api.post("/api/backup-policies", Api.json("daily", DAILY));
        Api.Response blank = api.post("/api/backup-policies", Api.json("name", "  "));
        Api.Response tooLong = api.post("/api/backup-policies", Api.json("name", "x".repeat(201)));

        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).isEqualTo("name is required");
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.error()).isEqualTo("name must not be blank");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.error()).isEqualTo("name must be at most 200 characters");
    }

    @Test
    void everyProblemOfOneBodyIsNamedInOneAnswer() {
        Api.Response r = api.post("/api/backup-policies", Api.json("name", unique("many"),
                "daily", Map.of("time", "24:00"), "weekly", Map.of("day_of_week", 7), "timezone", "Mars/Base"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("daily.time", "weekly.day_of_week", "timezone");
    }

    @Test
    void aDuplicateNameIsAConflictWhateverItsCase() {
        String name = unique("Duplicate");
        create(Api.json("name", name));

        Api.Response same = api.post("/api/backup-policies", Api.json("name", name));
        Api.Response otherCase = api.post("/api/backup-policies", Api.json("name", name.toUpperCase()));

        assertThat(same.status()).isEqualTo(409);
        assertThat(same.error()).contains(name);
        assertThat(otherCase.status()).isEqualTo(409);
        assertThat(names().stream().filter(n -> n.equalsIgnoreCase(name))).hasSize(1);
    }

    @Test
    void renamingToATakenNameIsAConflict() {
        String taken = unique("taken");
        create(Api.json("name", taken));
        String id = create(Api.json("name", unique("renamed"))).path("id").asString();

        Api.Response r = api.put("/api/backup-policies/" + id, Api.json("name", taken));

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.error()).contains(taken);
    }

    @Test
    void unknownPoliciesAre404() {
        for (Api.Response r : List.of(
                api.get("/api/backup-policies/policy-nope"),
                api.put("/api/backup-policies/policy-nope", Api.json("name", unique("ghost"))),
                api.delete("/api/backup-policies/policy-nope"))) {
            assertThat(r.status()).as(r.text()).isEqualTo(404);
            assertThat(r.error()).isEqualTo("Policy 'policy-nope' not found");
        }
    }

    @Test
    void theSystemPolicyProductionStandardExistsFromFirstStart() {
        Api.Response r = api.get("/api/backup-policies/production-standard");

        assertThat(r.status()).isEqualTo(200);
        JsonNode policy = r.json().path("policy");
        assertThat(policy.path("is_system").asBoolean()).isTrue();
        assertThat(policy.path("daily").path("enabled").asBoolean()).isTrue();
        assertThat(api.get("/api/backup-policies").json().path("policies").path(0).path("is_system").asBoolean())
                .as("system policies are listed first").isTrue();
    }

    @Test
    void theSystemPolicyCannotBeDeleted() {
        Api.Response r = api.delete("/api/backup-policies/production-standard");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("production-standard", "system policy");
        assertThat(api.get("/api/backup-policies/production-standard").status()).isEqualTo(200);
    }

    @Test
    void deletesAnUnusedPolicy() {
        String id = create(specExample(unique("doomed"))).path("id").asString();

        Api.Response r = api.delete("/api/backup-policies/" + id);

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("message").asString()).isEqualTo("Backup policy '" + id + "' deleted");
        assertThat(api.get("/api/backup-policies/" + id).status()).isEqualTo(404);
    }

    @Test
    void aPolicyInUseIsNotDeletedAndTheErrorNamesTheDatabase() {
        String id = create(Api.json("name", unique("in-use"))).path("id").asString();
        String database = unique("orders-db");
        createDatabase(database, id);

        Api.Response r = api.delete("/api/backup-policies/" + id);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains(database, "move_to");
        assertThat(api.get("/api/backup-policies/" + id).status()).isEqualTo(200);
    }

    @Test
    void aPolicyInUseIsDeletedWhenItsDatabasesMoveToAnotherPolicy() {
        String id = create(Api.json("name", unique("moving"))).path("id").asString();
        String databaseId = createDatabase(unique("moved-db"), id);

        Api.Response r = api.delete("/api/backup-policies/" + id + "?move_to=production-standard");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("databases_moved").asInt()).isEqualTo(1);
        assertThat(api.get("/api/backup-policies/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/databases/" + databaseId).json().path("database").path("policy_id").asString())
                .isEqualTo("production-standard");
    }

    @Test
    void movingToAPolicyThatDoesNotExistDeletesNothing() {
        String id = create(Api.json("name", unique("stuck"))).path("id").asString();
        String databaseId = createDatabase(unique("stuck-db"), id);

        Api.Response r = api.delete("/api/backup-policies/" + id + "?move_to=policy-nope");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("move_to", "policy-nope");
        assertThat(api.get("/api/backup-policies/" + id).status()).isEqualTo(200);
        assertThat(api.get("/api/databases/" + databaseId).json().path("database").path("policy_id").asString())
                .isEqualTo(id);
    }

    @Test
    void creatingIsAuditedWithDescriptionAndSummary() {
        String id = create(specExample(unique("audited"))).path("id").asString();

        JsonNode details = auditDetails(id, "policy_created");

        assertThat(details.path("description").asString()).isEqualTo("For critical databases");
        assertThat(details.path("summary").asString()).isEqualTo("hourly 24, daily 30, weekly 8, monthly 24, yearly 5");
    }

    @Test
    void updatingIsAuditedWithTheUpdatedFieldsAndSummary() {
        String id = create(specExample(unique("audited-update"))).path("id").asString();

        api.put("/api/backup-policies/" + id, Api.json("description", "Now weekly only",
                "hourly", Map.of("enabled", false), "daily", Map.of("enabled", false)));
        JsonNode details = auditDetails(id, "policy_updated");

        assertThat(details.path("updated_fields").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder("description", "hourly", "daily");
        assertThat(details.path("summary").asString()).isEqualTo("weekly 8, monthly 24, yearly 5");
    }

    @Test
    void deletingIsAuditedWithDescriptionSummaryAndIsSystem() {
        String id = create(Api.json("name", unique("audited-delete"), "description", "Short-lived",
                "daily", Map.of("enabled", true, "keep_count", 3))).path("id").asString();

        api.delete("/api/backup-policies/" + id);
        JsonNode details = auditDetails(id, "policy_deleted");

        assertThat(details.path("description").asString()).isEqualTo("Short-lived");
        assertThat(details.path("summary").asString()).isEqualTo("daily 3");
        assertThat(details.path("is_system").isBoolean()).isTrue();
        assertThat(details.path("is_system").asBoolean()).isFalse();
    }

    @Test
    void aRefusedDeletionLeavesNoDeletionInTheAuditTrail() {
        api.delete("/api/backup-policies/production-standard");

        assertThat(catalog.sql("SELECT count(*) FROM audit_events WHERE resource_id = ? AND action = ?")
                .params("production-standard", "policy_deleted").query(Integer.class).single()).isZero();
    }

    private static String specExample(String name) {
        return Api.json("name", name, "description", "For critical databases",
                "hourly", HOURLY, "daily", DAILY, "weekly", WEEKLY, "monthly", MONTHLY, "yearly", YEARLY);
    }

    private JsonNode create(String body) {
        Api.Response r = api.post("/api/backup-policies", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("policy");
    }

    /** A SQLite database (a file path, no server needed) that uses the policy. */
    private String createDatabase(String name, String policyId) {
        Api.Response r = api.post("/api/databases", Api.json("name", name, "database_type", "sqlite",
                "database_name", dataDir().resolve(name + ".db").toString(), "policy_id", policyId));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    private List<String> names() {
        return api.get("/api/backup-policies").json().path("policies").valueStream()
                .map(p -> p.path("name").asString()).toList();
    }

    private JsonNode auditDetails(String policyId, String action) {
        List<String> details = catalog.sql("SELECT details FROM audit_events WHERE resource_id = ? AND action = ?")
                .params(policyId, action).query(String.class).list();
        assertThat(details).as(action + " events of " + policyId).hasSize(1);
        return JSON.readTree(details.get(0));
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.propertyNames().stream().toList();
    }
}

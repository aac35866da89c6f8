package dev.custos.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/** {@code GET/PUT /api/settings}: the spec's shape, partial updates, validation and the audit of each change. */
class SettingsApiIT extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    private JdbcClient catalog;

    @Test
    void settingsHaveTheShapeOfTheSpec() {
        Api.Response r = api.get("/api/settings");

        assertThat(r.status()).isEqualTo(200);
        JsonNode settings = r.json();
        assertThat(settings.propertyNames())
                .containsExactlyInAnyOrder("dark_mode", "default_retention_days", "default_compression", "updated_at");
        assertThat(settings.path("dark_mode").isBoolean()).isTrue();
        assertThat(settings.path("default_retention_days").isInt()).isTrue();
        assertThat(settings.path("default_compression").isBoolean()).isTrue();
        assertThat(settings.path("updated_at").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }

    @Test
    void aFullUpdateAnswersTheSpecMessageAndTheNewSettings() {
        int days = otherRetention();

        Api.Response r = api.put("/api/settings",
                Api.json("dark_mode", true, "default_retention_days", days, "default_compression", false));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("message").asString()).isEqualTo("Settings updated");
        JsonNode settings = r.json().path("settings");
        assertThat(settings.path("dark_mode").asBoolean()).isTrue();
        assertThat(settings.path("default_retention_days").asInt()).isEqualTo(days);
        assertThat(settings.path("default_compression").asBoolean()).isFalse();
        assertThat(api.get("/api/settings").json()).isEqualTo(settings);
    }

    @Test
    void aPartialUpdateKeepsTheOtherSettings() {
        JsonNode before = api.get("/api/settings").json();
        boolean darkMode = !before.path("dark_mode").asBoolean();

        Api.Response r = api.put("/api/settings", Api.json("dark_mode", darkMode));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode after = api.get("/api/settings").json();
        assertThat(after.path("dark_mode").asBoolean()).isEqualTo(darkMode);
        assertThat(after.path("default_retention_days")).isEqualTo(before.path("default_retention_days"));
        assertThat(after.path("default_compression")).isEqualTo(before.path("default_compression"));
        assertThat(Instant.parse(after.path("updated_at").asString()))
                .isAfterOrEqualTo(Instant.parse(before.path("updated_at").asString()));
    }

    @Test
    void anEmptyUpdateChangesNothing() {
        JsonNode before = api.get("/api/settings").json();

        Api.Response r = api.put("/api/settings", "{}");

        assertThat(r.status()).isEqualTo(200);
        JsonNode after = r.json().path("settings");
        for (String field : List.of("dark_mode", "default_retention_days", "default_compression")) {
            assertThat(after.path(field)).as(field).isEqualTo(before.path(field));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"default_retention_days\": 0}",
            "{\"default_retention_days\": -5}",
            "{\"default_retention_days\": 36501}",
            "{\"default_retention_days\": \"x\"}",
            "{\"default_retention_days\": \"30\"}",
            "{\"default_retention_days\": 1.5}",
            "{\"dark_mode\": \"yes\"}",
            "{\"dark_mode\": 1}",
            "{\"default_compression\": \"true\"}",
            "{\"default_compression\": []}"})
    void anInvalidValueIsRefusedNamingTheFieldAndChangesNothing(String body) {
        JsonNode before = api.get("/api/settings").json();
        String field = JSON.readTree(body).propertyNames().iterator().next();

        Api.Response r = api.put("/api/settings", body);

        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).startsWith(field + " must be");
        assertThat(api.get("/api/settings").json()).isEqualTo(before);
    }

    @Test
    void retentionOutOfRangeSaysTheRange() {
        Api.Response r = api.put("/api/settings", Api.json("default_retention_days", 0));

        assertThat(r.error()).isEqualTo("default_retention_days must be between 1 and 36500 (got 0)");
    }

    @Test
    void everyBadFieldIsNamedInOneAnswer() {
        Api.Response r = api.put("/api/settings", Api.json("dark_mode", "yes", "default_retention_days", "x"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("dark_mode", "default_retention_days");
    }

    @Test
    void anUpdateIsAuditedWithEachChangeFromAndTo() {
        JsonNode before = api.get("/api/settings").json();
        int days = otherRetention();
        boolean darkMode = before.path("dark_mode").asBoolean();

        api.put("/api/settings", Api.json("default_retention_days", days, "dark_mode", darkMode));

        JsonNode changes = settingsChangeTo(days);
        assertThat(changes.propertyNames()).containsExactly("default_retention_days");
        assertThat(changes.path("default_retention_days").path("from")).isEqualTo(before.path("default_retention_days"));
        assertThat(changes.path("default_retention_days").path("to").asInt()).isEqualTo(days);
    }

    @Test
    void theAuditOfAChangedFlagRecordsBothValues() {
        boolean darkMode = api.get("/api/settings").json().path("dark_mode").asBoolean();
        int days = otherRetention();

        api.put("/api/settings", Api.json("dark_mode", !darkMode, "default_retention_days", days));

        JsonNode changes = settingsChangeTo(days);
        assertThat(changes.path("dark_mode").path("from").asBoolean()).isEqualTo(darkMode);
        assertThat(changes.path("dark_mode").path("to").asBoolean()).isEqualTo(!darkMode);
    }

    @Test
    void aRefusedUpdateIsNotAudited() {
        int before = auditedUpdates();

        api.put("/api/settings", Api.json("default_retention_days", 0));

        assertThat(auditedUpdates()).isEqualTo(before);
    }

    /** A retention no other update of this run has set, so its audit event can be found among the others. */
    private int otherRetention() {
        int current = api.get("/api/settings").json().path("default_retention_days").asInt();
        int days;
        do {
            days = ThreadLocalRandom.current().nextInt(1_000, 36_500);
        } while (days == current);
        return days;
    }

    /** The {@code changes} of the one settings_updated event that set retention to {@code days}. */
    private JsonNode settingsChangeTo(int days) {
        List<JsonNode> matching = catalog.sql("SELECT details FROM audit_events WHERE action = 'settings_updated'")
                .query(String.class).list().stream()
                .map(d -> JSON.readTree(d).path("changes"))
                .filter(c -> c.path("default_retention_days").path("to").asInt() == days)
                .toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    private int auditedUpdates() {
        return catalog.sql("SELECT count(*) FROM audit_events WHERE action = 'settings_updated'").query(Integer.class)
                .single();
    }
}

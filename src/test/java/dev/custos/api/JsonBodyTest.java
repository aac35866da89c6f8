package dev.custos.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonBodyTest {

    private final JsonMapper json = JsonMapper.builder().build();

    private JsonBody body(String text) {
        return JsonBody.of(json.readTree(text));
    }

    @Test
    void everyBadFieldIsNamedInOneError() {
        JsonBody b = body("{\"name\": \"\", \"port\": \"5432\", \"enabled\": \"yes\", \"type\": \"oracle\"}");

        b.requiredString("name");
        b.integer("port", 1, 65535);
        b.bool("enabled");
        b.oneOf("type", java.util.List.of("mysql", "postgresql"));
        b.requiredString("host");

        assertThatThrownBy(b::throwIfInvalid).isInstanceOf(ApiException.class)
                .hasMessage("name must not be blank; port must be an integer; enabled must be true or false; "
                        + "type must be one of mysql, postgresql (got 'oracle'); host is required");
    }

    @Test
    void absentAndNullAreToldApart() {
        JsonBody b = body("{\"engine_id\": null}");

        assertThat(b.has("engine_id")).isTrue();
        assertThat(b.isNull("engine_id")).isTrue();
        assertThat(b.has("host")).isFalse();
    }

    @Test
    void nestedErrorsCarryTheirPath() {
        JsonBody b = body("{\"daily\": {\"keep_count\": -1}}");

        b.nested("daily", child -> child.integer("keep_count", 0, 10));

        assertThatThrownBy(b::throwIfInvalid).hasMessage("daily.keep_count must be between 0 and 10 (got -1)");
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefused() {
        assertThatThrownBy(() -> body("[1, 2]")).isInstanceOf(ApiException.class)
                .hasMessage("Request body must be a JSON object");
    }

    @Test
    void aNumberTooLargeForAnIntIsNotSilentlyTruncated() {
        JsonBody b = body("{\"port\": 4294972728}");

        assertThat(b.integer("port", 1, 65535)).isEmpty();
        assertThatThrownBy(b::throwIfInvalid).hasMessage("port must be an integer");
    }
}

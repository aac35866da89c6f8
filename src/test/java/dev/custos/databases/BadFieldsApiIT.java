package dev.custos.databases;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * A bad field in an engine or database body is a 400 whose message names the field and why. (That no input at
 * all gives a 500 is {@code HostileInputIT}'s job.)
 */
class BadFieldsApiIT extends ApiTest {

    /** Each body and the field its 400 must name. */
    static Stream<Arguments> badFields() {
        return Stream.of(
                Arguments.of(Api.json("name", 123), "name must be a string"),
                Arguments.of(Api.json("name", "x".repeat(100_000)), "name must be at most 200 characters"),
                Arguments.of(Api.json("port", "5432"), "port must be an integer"),
                Arguments.of(Api.json("port", 1.5), "port must be an integer"),
                Arguments.of(Api.json("port", 99_999_999_999L), "port must be an integer"),
                Arguments.of(Api.json("port", -1), "port must be between 1 and 65535"),
                Arguments.of(Api.json("host", "db.example.com; rm -rf /"), "host must be a hostname or IP address"),
                Arguments.of(Api.json("host", List.of("a", "b")), "host must be a string"),
                Arguments.of(Api.json("name", "   "), "name must not be blank"),
                Arguments.of(Api.json("username", ""), "username must not be blank"));
    }

    @ParameterizedTest
    @MethodSource("badFields")
    void aBadFieldIs400NamingIt(String body, String message) {
        String engineId = engine();
        String databaseId = database();
        for (String path : List.of("/api/engines/" + engineId, "/api/databases/" + databaseId)) {
            Api.Response r = api.put(path, body);

            assertThat(r.status()).as("PUT " + path + " -> " + r).isEqualTo(400);
            assertThat(r.error()).contains(message);
        }
    }

    @Test
    void tagsMustBeAFlatObject() {
        Api.Response nested = api.put("/api/databases/" + database(), Api.json("tags", Map.of("a", Map.of("b", 1))));
        Api.Response list = api.put("/api/databases/" + database(), Api.json("tags", List.of("a")));

        assertThat(nested.status()).isEqualTo(400);
        assertThat(nested.error()).contains("tags.a must be a string, number or boolean");
        assertThat(list.status()).isEqualTo(400);
        assertThat(list.error()).contains("tags must be an object");
    }

    @Test
    void aBadDeleteFlagIs400NamingIt() {
        Api.Response r = api.delete("/api/engines/" + engine() + "?delete_databases=please");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("delete_databases");
    }

    private String engine() {
        Api.Response r = api.post("/api/engines", Api.json("name", unique("hostile"), "engine_type", "postgresql",
                "host", "hostile.example.com", "port", 5432, "username", "u", "password", "p"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("engine").path("id").asString();
    }

    private String database() {
        Api.Response r = api.post("/api/databases", Api.json("name", unique("hostile"), "database_type", "postgresql",
                "host", "hostile.example.com", "port", 5432, "database_name", unique("hostile"), "username", "u",
                "password", "p"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }
}

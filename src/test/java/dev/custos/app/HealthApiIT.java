package dev.custos.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

class HealthApiIT extends ApiTest {

    @Test
    void healthNamesTheServiceAndTheBuildVersion() {
        Api.Response r = api.get("/api/health");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asString()).isEqualTo("healthy");
        assertThat(r.json().path("service").asString()).isEqualTo("custos");
        assertThat(r.json().path("version").asString()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(r.json().path("timestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(Instant.parse(r.json().path("timestamp").asString())).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void anUnknownPathIsAJsonNotFound() {
        Api.Response r = api.get("/api/no-such-thing");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.error()).contains("/api/no-such-thing");
    }
}

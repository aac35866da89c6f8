package dev.custos.databases;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.custos.connectors.SilentServer;
import dev.custos.engines.RealServers;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * A server that accepts the connection and never answers: the test gives up after {@code custos.connection-timeout}
 * (2 s here, so this class runs in its own Spring context) and says Timeout. A second service beside the shared
 * one gets a catalog and storage of its own: its backup workers must not take the shared service's jobs.
 */
@TestPropertySource(properties = {"custos.connection-timeout=2s",
        "custos.catalog.url=jdbc:sqlite:${java.io.tmpdir}/custos-it-timeout-${random.uuid}.db",
        "custos.storage.local.path=${java.io.tmpdir}/custos-it-timeout-${random.uuid}"})
class TestConnectionTimeoutApiIT extends ApiTest {

    /** The timeout plus room for thread scheduling and driver clean-up on a slow machine. */
    private static final Duration WITHIN = Duration.ofSeconds(2 + 4);

    @Test
    void aSilentPostgresqlServerIsATimeoutWithinTheConfiguredTimeout() throws Exception {
        try (SilentServer silent = SilentServer.start()) {
            long started = System.nanoTime();

            Api.Response r = api.post("/api/databases/test-connection", Api.json("database_type", "postgresql",
                    "host", RealServers.HOST, "port", silent.port(), "database_name", "x", "username", "postgres",
                    "password", ""));

            assertTimeout(r, started);
        }
    }

    @Test
    void aSilentMariadbServerIsATimeoutWithinTheConfiguredTimeout() throws Exception {
        try (SilentServer silent = SilentServer.start()) {
            long started = System.nanoTime();

            Api.Response r = api.post("/api/databases/test-connection", Api.json("database_type", "mysql",
                    "host", RealServers.HOST, "port", silent.port(), "database_name", "x", "username", "root",
                    "password", ""));

            assertTimeout(r, started);
        }
    }

    @Test
    void anEngineTestAgainstASilentServerIsATimeout() throws Exception {
        try (SilentServer silent = SilentServer.start()) {
            Api.Response engine = api.post("/api/engines", Api.json("name", unique("silent"), "engine_type", "mysql",
                    "host", RealServers.HOST, "port", silent.port(), "username", "root", "password", ""));
            long started = System.nanoTime();

            Api.Response r = api.post("/api/engines/" + engine.json().path("engine").path("id").asString() + "/test", null);

            assertTimeout(r, started);
        }
    }

    private static void assertTimeout(Api.Response r, long startedNanos) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("success").asBoolean()).isFalse();
        assertThat(r.json().path("error_type").asString()).as(r.text()).isEqualTo("Timeout");
        assertThat(r.json().path("duration_ms").asLong()).isBetween(1_500L, WITHIN.toMillis());
        assertThat(elapsed).isLessThan(WITHIN);
    }
}

package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * A password given to Custos is never returned, logged, audited or stored in the clear: this test sends
 * distinctive passwords through every path that takes one and looks for them everywhere they could leak.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretsNeverLeakIT extends ApiTest {

    private static final String ENGINE_PASSWORD = "Engine-Pw-7f3a9c";
    private static final String DATABASE_PASSWORD = "Db-Pw-2b8e4d";
    private static final String ROTATED_PASSWORD = "Rotated-Pw-91c0aa";
    private static final List<String> SECRETS = List.of(ENGINE_PASSWORD, DATABASE_PASSWORD, ROTATED_PASSWORD);

    @Autowired
    JdbcClient jdbc;

    @Test
    void passwordsAppearInNoResponseLogAuditRowOrCatalogFile(CapturedOutput output) throws Exception {
        StringBuilder responses = new StringBuilder();
        Api.Response engine = api.post("/api/engines", Api.json("name", unique("Leak engine"), "engine_type", "mysql",
                "host", "127.0.0.1", "port", 3306, "username", "nobody_here", "password", ENGINE_PASSWORD));
        String engineId = engine.json().path("engine").path("id").asString();
        Api.Response db = api.post("/api/databases", Api.json("name", unique("Leak db"), "database_type", "mysql",
                "host", "127.0.0.1", "port", 3306, "database_name", unique("leak"), "username", "nobody_here",
                "password", DATABASE_PASSWORD));
        String dbId = db.json().path("database").path("id").asString();
        for (Api.Response r : List.of(engine, db,
                api.put("/api/databases/" + dbId, Api.json("password", ROTATED_PASSWORD)),
                api.put("/api/engines/" + engineId, Api.json("password", ROTATED_PASSWORD, "apply_to_all_databases", true)),
                api.get("/api/engines/" + engineId), api.get("/api/databases/" + dbId),
                api.get("/api/engines"), api.get("/api/databases?limit=1000"),
                api.post("/api/engines/" + engineId + "/test", null),
                api.post("/api/databases/test-connection", Api.json("database_type", "mysql", "host", "127.0.0.1",
                        "port", 3306, "database_name", "x", "username", "nobody_here", "password", DATABASE_PASSWORD)),
                api.delete("/api/databases/" + dbId))) {
            responses.append(r.text()).append('\n');
        }

        List<Map<String, Object>> audit = jdbc.sql("SELECT * FROM audit_events").query().listOfRows();
        String catalogBytes = catalogFiles();

        assertThat(engine.status()).isEqualTo(201);
        assertThat(db.status()).isEqualTo(201);
        for (String secret : SECRETS) {
            assertThat(responses.toString()).doesNotContain(secret);
            assertThat(output.getAll()).doesNotContain(secret);
            assertThat(audit.toString()).doesNotContain(secret);
            assertThat(catalogBytes).doesNotContain(secret);
        }
    }

    private static String catalogFiles() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dataDir())) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("custos.db")).toList()) {
                all.append(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}

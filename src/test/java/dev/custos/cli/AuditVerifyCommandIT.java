package dev.custos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/** {@code custos audit verify}: an export of the running server checked with nothing but its public key. */
class AuditVerifyCommandIT extends ApiTest {

    @Test
    void anIntactExportIsValidAndAnEditedOneIsNamedWithExitCode2() throws IOException {
        assertThat(api.post("/api/backup-policies", Api.json("name", unique("cli-audit"))).status()).isEqualTo(201);
        Path dir = Files.createTempDirectory(dataDir(), "audit-cli");
        Path export = dir.resolve("audit.jsonl");
        Path key = dir.resolve("key.json");
        Files.writeString(export, api.get("/api/audit/export?format=jsonl").text());
        Files.writeString(key, api.get("/api/audit/public-key").text());

        Terminals ok = new Terminals();
        int valid = ok.run("audit", "verify", export.toString(), "--public-key", key.toString(), "--json");

        assertThat(valid).as(ok.err()).isZero();
        assertThat(ok.err()).contains("VALID");
        assertThat(Api.JSON.readTree(ok.out()).path("valid").asBoolean()).isTrue();

        String text = Files.readString(export);
        String firstEvent = text.lines().filter(l -> l.startsWith("{\"id\":")).findFirst().orElseThrow();
        long sequence = Api.JSON.readTree(firstEvent).path("sequence").asLong();
        Files.writeString(export, text.replace(firstEvent, firstEvent.replace("\"timestamp\":\"20",
                "\"timestamp\":\"19")));
        Terminals tampered = new Terminals();
        int code = tampered.run("audit", "verify", export.toString(), "--public-key", key.toString());

        assertThat(code).isEqualTo(2);
        assertThat(tampered.err()).contains("TAMPERED", "First bad sequence:       " + sequence);
    }

    @Test
    void aKeyThatIsNotAPublicKeyIsAFailureNotATamperedExport() throws IOException {
        Path dir = Files.createTempDirectory(dataDir(), "audit-cli");
        Path export = dir.resolve("audit.jsonl");
        Path key = dir.resolve("key.pem");
        Files.writeString(export, api.get("/api/audit/export").text());
        Files.writeString(key, "not a key");
        Terminals t = new Terminals();

        assertThat(t.run("audit", "verify", export.toString(), "--public-key", key.toString())).isEqualTo(1);
        assertThat(t.err()).contains("not a PEM public key");
    }
}

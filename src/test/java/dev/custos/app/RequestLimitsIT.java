package dev.custos.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

class RequestLimitsIT extends ApiTest {

    @LocalServerPort
    int port;

    private static String bigPolicy() {
        return Api.json("name", "x", "description", "d".repeat(2 * 1024 * 1024));
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedWith413() {
        Api.Response r = api.post("/api/backup-policies", bigPolicy());

        assertThat(r.status()).isEqualTo(413);
        assertThat(r.error()).contains("larger than the limit");
    }

    @Test
    void aChunkedBodyIsCutOffAtTheLimit() throws Exception {
        byte[] body = bigPolicy().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/backup-policies"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("larger than the limit");
    }

    @Test
    void aClientThatAcceptsOnlyXmlGetsJsonInsteadOfA406AfterTheChange() throws Exception {
        String name = unique("Xml client");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/backup-policies"))
                .header("Content-Type", "application/json").header("Accept", "application/xml")
                .POST(HttpRequest.BodyPublishers.ofString(Api.json("name", name)))
                .build();

        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        assertThat(r.body()).contains(name);
    }
}

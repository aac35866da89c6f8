package dev.custos.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import com.github.luben.zstd.ZstdInputStream;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;

/** Steps the backup API tests share: register a database, back it up, wait, download, restore with the real tools. */
public final class BackupFlows {

    public static final Set<String> FINAL = Set.of("completed", "failed", "cancelled");

    private BackupFlows() {
    }

    public static String registerPostgres(Api api, String name, String database, Object compression) {
        return created(api.post("/api/databases", Api.json("name", name, "database_type", "postgresql", "host", "127.0.0.1",
                "port", 5432, "database_name", database, "username", "postgres", "password", "", "compression", compression)));
    }

    public static String registerMariadb(Api api, String name, String database, Object compression) {
        return created(api.post("/api/databases", Api.json("name", name, "database_type", "mysql", "host", "127.0.0.1",
                "port", 3306, "database_name", database, "username", "root", "password", "", "compression", compression)));
    }

    public static String registerSqlite(Api api, String name, Path file, Object compression) {
        return created(api.post("/api/databases", Api.json("name", name, "database_type", "sqlite",
                "database_name", file.toString(), "compression", compression)));
    }

    private static String created(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("database").get("id").stringValue();
    }

    /** Triggers a backup and returns its id. */
    public static String trigger(Api api, String databaseId) {
        Api.Response response = api.post("/api/databases/" + databaseId + "/backup", "");
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        JsonNode body = response.json();
        assertThat(body.get("message").stringValue()).isEqualTo("Backup job queued");
        assertThat(body.get("job_id").stringValue()).startsWith("job-");
        assertThat(body.get("queue_message_id").stringValue()).startsWith("msg-");
        return body.get("backup_id").stringValue();
    }

    public static JsonNode awaitFinal(Api api, String backupId) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> FINAL.contains(backup(api, backupId).get("status").stringValue()));
        return backup(api, backupId);
    }

    public static JsonNode awaitStatus(Api api, String backupId, String status) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> backup(api, backupId).get("status").stringValue().equals(status));
        return backup(api, backupId);
    }

    public static JsonNode backup(Api api, String backupId) {
        Api.Response response = api.get("/api/backups/" + backupId);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    public static JsonNode completed(Api api, String backupId) {
        JsonNode backup = awaitFinal(api, backupId);
        assertThat(backup.get("status").stringValue()).as(backup.toString()).isEqualTo("completed");
        return backup;
    }

    /** The signed download URL of a file. */
    public static String downloadUrl(Api api, String blobName) {
        Api.Response response = api.get("/api/backups/download?blob_name=" + Api.encode(blobName));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("download_url").stringValue();
    }

    public static HttpResponse<byte[]> fetch(String url, String range) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
            if (range != null) {
                request.header("Range", range);
            }
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Downloads through the signed URL into a file, decompressed according to its name. */
    public static Path downloadPlain(Api api, String blobName, Path dir) throws IOException {
        HttpResponse<byte[]> response = fetch(downloadUrl(api, blobName), null);
        assertThat(response.statusCode()).isEqualTo(200);
        Path file = dir.resolve("restore-" + System.nanoTime());
        try (InputStream in = decompressing(blobName, new java.io.ByteArrayInputStream(response.body()))) {
            Files.copy(in, file);
        }
        return file;
    }

    public static InputStream decompressing(String name, InputStream in) throws IOException {
        if (name.endsWith(".zst")) {
            return new ZstdInputStream(in);
        }
        if (name.endsWith(".gz")) {
            return new GZIPInputStream(in);
        }
        if (name.endsWith(".lz4")) {
            return new net.jpountz.lz4.LZ4FrameInputStream(in);
        }
        return in;
    }

    /** Runs a command to completion and returns its combined output; fails the test if it exits non-zero. */
    public static String run(List<String> command, Path stdin) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
        return output;
    }
}

package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {

    @TempDir
    Path dir;

    @Test
    void processesStartingAtOnceOnOneDataDirectoryAllSignWithTheKeyOnDisk() throws Exception {
        // Several first starts race to create the key: whatever each signs must verify against the key left on disk
        // and its public file, or checkpoints signed by a loser could never be checked. No temporary file stays.
        byte[] message = "checkpoint 42".getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("audit-signing.key");
        for (int round = 0; round < 20; round++) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir.resolve("audit-signing.key.pub"));
            int racers = 8;
            CyclicBarrier start = new CyclicBarrier(racers);
            ExecutorService pool = Executors.newFixedThreadPool(racers);
            try {
                List<Future<String>> signatures = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    signatures.add(pool.submit(() -> {
                        start.await();
                        return SigningKey.loadOrCreate(file).sign(message);
                    }));
                }
                PublicKeys.Key onDisk = SigningKey.loadOrCreate(file).publicKey();
                for (Future<String> signature : signatures) {
                    assertThat(onDisk.verifies(message, signature.get())).as("round %d", round).isTrue();
                }
                PublicKeys.Key published = PublicKeys.parsePem(Files.readString(dir.resolve("audit-signing.key.pub")));
                assertThat(published.keyId()).isEqualTo(onDisk.keyId());
            } finally {
                pool.shutdownNow();
            }
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("audit-signing.key", "audit-signing.key.pub");
            }
        }
    }
}

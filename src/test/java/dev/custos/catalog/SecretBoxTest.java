package dev.custos.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

    @TempDir
    Path dir;

    private CustosProperties properties(String masterKey) {
        return new CustosProperties(dir, new CustosProperties.Catalog("jdbc:sqlite:x", null, null), masterKey,
                dir.resolve("master.key"), new CustosProperties.Storage(new CustosProperties.Storage.Local(dir)),
                Duration.ofSeconds(10));
    }

    @Test
    void aGeneratedMasterKeyFileIsReadableOnlyByItsOwner() throws Exception {
        new SecretBox(properties(null));

        Path key = dir.resolve("master.key");
        assertThat(Files.getPosixFilePermissions(key))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Base64.getDecoder().decode(Files.readString(key).trim())).hasSize(32);
    }

    @Test
    void theSameKeyFileDecryptsAfterARestart() {
        String sealed = new SecretBox(properties(null)).encrypt("s3cret", "engines/e1/password");

        String opened = new SecretBox(properties(null)).decrypt(sealed, "engines/e1/password");

        assertThat(opened).isEqualTo("s3cret");
        assertThat(sealed).startsWith("v1:").doesNotContain("s3cret");
    }

    @Test
    void processesStartingAtOnceOnOneDataDirectoryAllTakeTheSameKey() throws Exception {
        // Several first starts race to create the key file: each must end with the one key on disk, none may read a
        // half-written file or fail because another created it first, and no temporary file may be left behind.
        for (int round = 0; round < 20; round++) {
            Files.deleteIfExists(dir.resolve("master.key"));
            int racers = 8;
            CyclicBarrier start = new CyclicBarrier(racers);
            ExecutorService pool = Executors.newFixedThreadPool(racers);
            try {
                List<Future<String>> sealed = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    sealed.add(pool.submit(() -> {
                        start.await();
                        return new SecretBox(properties(null)).encrypt("s3cret", "c");
                    }));
                }
                SecretBox onDisk = new SecretBox(properties(null));
                for (Future<String> f : sealed) {
                    assertThat(onDisk.decrypt(f.get(), "c")).isEqualTo("s3cret");
                }
            } finally {
                pool.shutdownNow();
            }
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("master.key");
            }
        }
    }

    @Test
    void encryptingTwiceGivesDifferentCiphertexts() {
        SecretBox box = new SecretBox(properties(null));

        assertThat(box.encrypt("same", "c")).isNotEqualTo(box.encrypt("same", "c"));
    }

    @Test
    void aCiphertextMovedToAnotherRowDoesNotDecrypt() {
        SecretBox box = new SecretBox(properties(null));
        String sealed = box.encrypt("s3cret", "databases/db-a/password");

        assertThatThrownBy(() -> box.decrypt(sealed, "databases/db-b/password"))
                .hasMessageContaining("master key").hasMessageNotContaining("s3cret");
    }

    @Test
    void anotherMasterKeyCannotDecrypt() {
        String sealed = new SecretBox(properties(null)).encrypt("s3cret", "c");
        byte[] other = new byte[32];
        other[0] = 1;

        SecretBox wrong = new SecretBox(properties(Base64.getEncoder().encodeToString(other)));

        assertThatThrownBy(() -> wrong.decrypt(sealed, "c")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMasterKeyOfTheWrongSizeIsRefusedAtStart() {
        assertThatThrownBy(() -> new SecretBox(properties(Base64.getEncoder().encodeToString(new byte[16]))))
                .hasMessageContaining("32 bytes");
    }
}

package dev.custos.storage;

import static dev.custos.storage.StorageBackendContract.bytes;
import static dev.custos.storage.StorageBackendContract.put;
import static dev.custos.storage.StorageBackendContract.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decorator is the local backend while idle (the whole contract), and each armed fault leaves nothing behind. */
class FaultyStorageTest implements StorageBackendContract {

    @TempDir
    Path dir;

    private FaultyStorage storage;

    @Override
    public FaultyStorage storage() {
        if (storage == null) {
            storage = new FaultyStorage(new LocalStorageBackend(dir));
        }
        return storage;
    }

    private long filesOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aDiskThatFillsUpMidWriteLeavesNothing() throws IOException {
        storage().failWritesAfter(1_000_000);
        byte[] content = bytes(3_000_000, 1);

        assertThatThrownBy(() -> storage().write("postgresql/db-1/full.dump", out -> {
            for (int off = 0; off < content.length; off += 65536) {
                out.write(content, off, Math.min(65536, content.length - off));
            }
        })).isInstanceOf(IOException.class).hasMessage("No space left on device");

        assertThat(storage().bytesWritten()).isEqualTo(1_000_000);
        assertThat(storage().stat("postgresql/db-1/full.dump")).isEmpty();
        assertThat(storage().list("", 10)).isEmpty();
        assertThat(filesOnDisk()).as("no temp file either").isZero();
    }

    @Test
    void aFullDiskFailsEvenTheFirstByte() {
        storage().failWritesAfter(0);

        assertThatThrownBy(() -> put(storage(), "x", new byte[] {1})).hasMessage("No space left on device");
    }

    @Test
    void afterHealingTheSameKeyIsWritten() throws IOException {
        storage().failWritesAfter(10);
        assertThatThrownBy(() -> put(storage(), "k", new byte[100])).isInstanceOf(IOException.class);

        storage().heal();
        put(storage(), "k", new byte[100]);

        assertThat(storage().stat("k")).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(100));
    }

    @Test
    void aBrokenDiskFailsReadsAfterSomeBytes() throws IOException {
        put(storage(), "k", bytes(10_000, 2));
        storage().failReadsAfter(4096);

        try (InputStream in = storage().read("k")) {
            assertThat(in.readNBytes(4096)).hasSize(4096);
            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("Input/output error");
        }
        assertThatThrownBy(() -> readAll(storage().read("k", 100, 9000))).hasMessage("Input/output error");
    }

    @Test
    void slowWritesStillArriveWhole() throws IOException {
        storage().slowWrites(Duration.ofMillis(2));
        byte[] content = bytes(10 * 4096, 3);

        storage().write("slow", out -> {
            for (int off = 0; off < content.length; off += 4096) {
                out.write(content, off, 4096);
            }
        });

        assertThat(readAll(storage().read("slow"))).isEqualTo(content);
    }

    @Test
    void aHeldWriteIsInvisibleUntilItIsLetGo() throws Exception {
        FaultyStorage.Gate gate = storage().holdWritesAfter(1000);
        CompletableFuture<StoredObject> write = CompletableFuture.supplyAsync(() -> {
            try {
                return put(storage(), "held", bytes(5000, 4));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        assertThat(gate.awaitHeld(Duration.ofSeconds(30))).isTrue();
        assertThat(storage().bytesWritten()).isEqualTo(1000);
        assertThat(storage().list("", 10)).isEmpty();
        gate.open();

        assertThat(write.get().size()).isEqualTo(5000);
        assertThat(readAll(storage().read("held"))).isEqualTo(bytes(5000, 4));
    }
}

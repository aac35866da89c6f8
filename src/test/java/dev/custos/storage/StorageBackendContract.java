package dev.custos.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link StorageBackend} must do, one test per promise of its interface. A backend's test implements
 * this interface and returns a fresh, empty store from {@link #storage()} (each test gets a new one); decorators run
 * it too, around a real backend, to show they change nothing while they are idle.
 */
public interface StorageBackendContract {

    /** A fresh, empty store. */
    StorageBackend storage();

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static StoredObject put(StorageBackend storage, String key, byte[] content) throws IOException {
        return storage.write(key, out -> out.write(content));
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    static List<String> keys(List<StoredObject> objects) {
        return objects.stream().map(StoredObject::key).toList();
    }

    // write and read

    @Test
    default void anObjectReadsBackAsWritten() throws IOException {
        StorageBackend storage = storage();
        byte[] content = bytes(3 * 1024 * 1024 + 17, 1);

        put(storage, "postgresql/db-1/20240115_120000.dump.zst", content);

        assertThat(readAll(storage.read("postgresql/db-1/20240115_120000.dump.zst"))).isEqualTo(content);
    }

    @Test
    default void emptyAndOneByteObjectsAreObjects() throws IOException {
        StorageBackend storage = storage();

        put(storage, "empty", new byte[0]);
        put(storage, "one", new byte[] {42});

        assertThat(readAll(storage.read("empty"))).isEmpty();
        assertThat(readAll(storage.read("one"))).containsExactly(42);
        assertThat(storage.stat("empty")).hasValueSatisfying(o -> assertThat(o.size()).isZero());
    }

    @Test
    default void writeReturnsTheStoredObject() throws IOException {
        StorageBackend storage = storage();
        Instant before = Instant.now().minusSeconds(2);

        StoredObject object = put(storage, "a/b.bin", bytes(1000, 2));

        assertThat(object.key()).isEqualTo("a/b.bin");
        assertThat(object.size()).isEqualTo(1000);
        assertThat(object.lastModified()).isBetween(before, Instant.now().plusSeconds(2));
        assertThat(storage.stat("a/b.bin")).contains(object);
    }

    @Test
    default void manySmallWritesMakeOneObject() throws IOException {
        StorageBackend storage = storage();
        byte[] content = bytes(70_000, 3);

        storage.write("bytes", out -> {
            for (byte b : content) {
                out.write(b);
            }
        });

        assertThat(readAll(storage.read("bytes"))).isEqualTo(content);
    }

    @Test
    default void aWriterMayCloseItsStream() throws IOException {
        StorageBackend storage = storage();

        storage.write("closed", out -> {
            out.write(new byte[] {1, 2, 3});
            out.close();
        });

        assertThat(readAll(storage.read("closed"))).containsExactly(1, 2, 3);
    }

    // write-once

    @Test
    default void aKeyIsWrittenOnce() throws IOException {
        StorageBackend storage = storage();
        put(storage, "once", new byte[] {1});

        assertThatThrownBy(() -> put(storage, "once", new byte[] {2, 2}))
                .isInstanceOf(ObjectExistsException.class).hasMessageContaining("once");

        assertThat(readAll(storage.read("once"))).containsExactly(1);
        assertThat(keys(storage.list("", 10))).containsExactly("once");
    }

    @Test
    default void aWriteToAnExistingKeyFailsBeforeTheWriterRuns() throws IOException {
        StorageBackend storage = storage();
        put(storage, "x/once", new byte[] {1});
        boolean[] ran = {false};

        assertThatThrownBy(() -> storage.write("x/once", out -> ran[0] = true)).isInstanceOf(ObjectExistsException.class);

        assertThat(ran[0]).as("a dump that could never be published is not started").isFalse();
    }

    @Test
    default void ofConcurrentWritersOfOneKeyExactlyOneWinsWhole() throws Exception {
        StorageBackend storage = storage();
        int writers = 6;
        CountDownLatch allWriting = new CountDownLatch(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] content = bytes(256 * 1024 + i, 100 + i);
                results.add(pool.submit(() -> {
                    try {
                        storage.write("race", out -> {
                            out.write(content, 0, 1000);
                            allWriting.countDown();
                            await(allWriting);
                            out.write(content, 1000, content.length - 1000);
                        });
                        return true;
                    } catch (ObjectExistsException e) {
                        return false;
                    }
                }));
            }
            int winners = 0;
            for (Future<Boolean> r : results) {
                winners += r.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            byte[] stored = readAll(storage.read("race"));
            int i = stored.length - 256 * 1024;
            assertThat(stored).as("the object is one writer's whole content").isEqualTo(bytes(256 * 1024 + i, 100 + i));
            assertThat(keys(storage.list("", 10))).containsExactly("race");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException("the other writers did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    default void aDeletedKeyCanBeWrittenAgain() throws IOException {
        StorageBackend storage = storage();
        put(storage, "a/b/again", new byte[] {1});

        assertThat(storage.delete("a/b/again")).isTrue();
        put(storage, "a/b/again", new byte[] {2});

        assertThat(readAll(storage.read("a/b/again"))).containsExactly(2);
    }

    // all-or-nothing

    @Test
    default void aWriterThatThrowsLeavesNothingAndItsExceptionPropagates() throws IOException {
        StorageBackend storage = storage();
        IOException failure = new IOException("pg_dump exited with 1");

        assertThatThrownBy(() -> storage.write("postgresql/db-1/failed.dump", out -> {
            out.write(bytes(2 * 1024 * 1024, 4));
            throw failure;
        })).isSameAs(failure);

        assertThat(storage.stat("postgresql/db-1/failed.dump")).isEmpty();
        assertThat(storage.list("", 100)).isEmpty();
        assertThatThrownBy(() -> storage.read("postgresql/db-1/failed.dump")).isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    default void aWriterThatThrowsAnUncheckedExceptionLeavesNothing() throws IOException {
        StorageBackend storage = storage();
        IllegalStateException failure = new IllegalStateException("bug in a dump writer");

        assertThatThrownBy(() -> storage.write("unchecked", out -> {
            out.write(new byte[] {1, 2, 3});
            throw failure;
        })).isSameAs(failure);

        assertThat(storage.list("", 100)).isEmpty();
    }

    @Test
    default void aFailedWriteLeavesOtherObjectsAndTheKeyFree() throws IOException {
        StorageBackend storage = storage();
        put(storage, "dir/kept", new byte[] {7});

        assertThatThrownBy(() -> storage.write("dir/failed", out -> {
            out.write(1);
            throw new IOException("broken pipe");
        })).hasMessage("broken pipe");
        put(storage, "dir/failed", new byte[] {8});

        assertThat(keys(storage.list("", 10))).containsExactly("dir/failed", "dir/kept");
    }

    // read ranges

    @Test
    default void aRangeIsTheBytesFromOffsetForLength() throws IOException {
        StorageBackend storage = storage();
        byte[] content = bytes(100_000, 5);
        put(storage, "ranged", content);

        assertThat(readAll(storage.read("ranged", 0, 10))).isEqualTo(java.util.Arrays.copyOfRange(content, 0, 10));
        assertThat(readAll(storage.read("ranged", 54_321, 12_345)))
                .isEqualTo(java.util.Arrays.copyOfRange(content, 54_321, 54_321 + 12_345));
        assertThat(readAll(storage.read("ranged", 99_990, 1000)))
                .as("fewer at the end").isEqualTo(java.util.Arrays.copyOfRange(content, 99_990, 100_000));
        assertThat(readAll(storage.read("ranged", 100_000, 10))).isEmpty();
        assertThat(readAll(storage.read("ranged", 200_000, 10))).isEmpty();
        assertThat(readAll(storage.read("ranged", 5, 0))).isEmpty();
        assertThat(readAll(storage.read("ranged", 0, Long.MAX_VALUE))).isEqualTo(content);
    }

    @Test
    default void aNegativeRangeIsRefused() throws IOException {
        StorageBackend storage = storage();
        put(storage, "ranged", new byte[10]);

        assertThatThrownBy(() -> storage.read("ranged", -1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.read("ranged", 0, -5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void readingAMissingObjectSaysSo() {
        StorageBackend storage = storage();

        assertThatThrownBy(() -> storage.read("missing")).isInstanceOf(NoSuchObjectException.class)
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> storage.read("no/such/dir/missing", 0, 10)).isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    default void aFolderIsNotAnObject() throws IOException {
        StorageBackend storage = storage();
        put(storage, "folder/inside", new byte[] {1});

        assertThat(storage.stat("folder")).isEmpty();
        assertThatThrownBy(() -> storage.read("folder")).isInstanceOf(NoSuchObjectException.class);
        assertThat(storage.delete("folder")).isFalse();
        assertThat(storage.stat("folder/inside")).isPresent();
    }

    // list

    @Test
    default void anEmptyStoreListsNothing() throws IOException {
        assertThat(storage().list("", 1000)).isEmpty();
    }

    @Test
    default void listIsSortedByKeyWhateverTheWriteOrder() throws IOException {
        StorageBackend storage = storage();
        // '-' < '/' < '0' in key order: a folder's objects sit between names that share its prefix.
        List<String> keys = new ArrayList<>(List.of("a-b", "a/x", "a/y/z", "a0", "b", "a", "aa/1", "A", "a/y-", "a/y0"));
        Collections.shuffle(keys, new Random(6));
        for (String key : keys) {
            if (!key.equals("a")) { // "a" cannot be both a folder and an object on every backend
                put(storage, key, key.getBytes());
            }
        }

        List<String> expected = keys.stream().filter(k -> !k.equals("a")).sorted().toList();
        assertThat(keys(storage.list("", 100))).containsExactlyElementsOf(expected);
    }

    @Test
    default void listGivesSizesAndTimes() throws IOException {
        StorageBackend storage = storage();
        StoredObject written = put(storage, "sized/obj", bytes(1234, 7));

        assertThat(storage.list("", 10)).containsExactly(written);
    }

    @Test
    default void listFiltersByPrefix() throws IOException {
        StorageBackend storage = storage();
        for (String key : List.of("postgresql/db-1/20240101_000000.dump", "postgresql/db-1/20240201_000000.dump",
                "postgresql/db-12/20240101_000000.dump", "postgresql/db-2/20240101_000000.dump",
                "mysql/db-1/20240101_000000.sql", "postgresql-old")) {
            put(storage, key, new byte[] {1});
        }

        assertThat(keys(storage.list("postgresql/db-1/", 100)))
                .containsExactly("postgresql/db-1/20240101_000000.dump", "postgresql/db-1/20240201_000000.dump");
        assertThat(keys(storage.list("postgresql/db-1", 100))).containsExactly("postgresql/db-1/20240101_000000.dump",
                "postgresql/db-1/20240201_000000.dump", "postgresql/db-12/20240101_000000.dump");
        assertThat(keys(storage.list("postgresql/db-1/202402", 100))).containsExactly("postgresql/db-1/20240201_000000.dump");
        assertThat(keys(storage.list("postgresql", 100))).hasSize(5).last().isEqualTo("postgresql/db-2/20240101_000000.dump");
        assertThat(keys(storage.list("postgresql-", 100))).containsExactly("postgresql-old");
        assertThat(keys(storage.list("mysql/db-1/20240101_000000.sql", 100))).containsExactly("mysql/db-1/20240101_000000.sql");
        assertThat(storage.list("sqlite/", 100)).isEmpty();
        assertThat(storage.list("postgresql/db-3", 100)).isEmpty();
    }

    @Test
    default void listStopsAtTheLimitWithTheSmallestKeys() throws IOException {
        StorageBackend storage = storage();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add(String.format("d%d/obj-%02d", i % 3, i));
        }
        Collections.shuffle(keys, new Random(8));
        for (String key : keys) {
            put(storage, key, new byte[] {1});
        }
        List<String> sorted = keys.stream().sorted().toList();

        assertThat(keys(storage.list("", 1))).containsExactlyElementsOf(sorted.subList(0, 1));
        assertThat(keys(storage.list("", 7))).containsExactlyElementsOf(sorted.subList(0, 7));
        assertThat(keys(storage.list("", 12))).containsExactlyElementsOf(sorted.subList(0, 12));
        assertThat(keys(storage.list("", 1000))).containsExactlyElementsOf(sorted);
        assertThat(keys(storage.list("d1/", 4))).containsExactlyElementsOf(
                sorted.stream().filter(k -> k.startsWith("d1/")).limit(4).toList());
    }

    @Test
    default void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> storage().list("", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // stat and delete

    @Test
    default void statOfAMissingObjectIsEmpty() throws IOException {
        assertThat(storage().stat("no/such/object")).isEmpty();
    }

    @Test
    default void deleteRemovesTheObjectAndSaysWhetherThereWasOne() throws IOException {
        StorageBackend storage = storage();
        put(storage, "p/db/1", new byte[] {1});
        put(storage, "p/db/2", new byte[] {2});

        assertThat(storage.delete("p/db/1")).isTrue();
        assertThat(storage.delete("p/db/1")).isFalse();
        assertThat(storage.delete("never/written")).isFalse();

        assertThat(storage.stat("p/db/1")).isEmpty();
        assertThatThrownBy(() -> storage.read("p/db/1")).isInstanceOf(NoSuchObjectException.class);
        assertThat(keys(storage.list("", 10))).containsExactly("p/db/2");
        assertThat(storage.delete("p/db/2")).isTrue();
        assertThat(storage.list("", 10)).isEmpty();
    }

    @Test
    default void anOpenReadGivesTheWholeObjectOrAnErrorAfterADelete() throws IOException {
        StorageBackend storage = storage();
        byte[] content = bytes(500_000, 9);
        put(storage, "being-downloaded", content);

        byte[] read;
        try (InputStream in = storage.read("being-downloaded")) {
            byte[] first = in.readNBytes(1000);
            storage.delete("being-downloaded");
            byte[] rest = in.readAllBytes();
            read = new byte[first.length + rest.length];
            System.arraycopy(first, 0, read, 0, first.length);
            System.arraycopy(rest, 0, read, first.length, rest.length);
        } catch (IOException e) {
            return; // a backend may end the download of a deleted object with an error, never with other bytes
        }
        assertThat(read).isEqualTo(content);
    }

    // keys

    static Stream<String> invalidKeys() {
        return Stream.of("", "/etc/passwd", "../x", "a/../../x", "a/./b", ".", "..", "a//b", "a/", "a\\b",
                "a/\u0000b", "a\nb", "a/.tmp-123", ".tmp-x", "x".repeat(1025), "a/" + "y".repeat(256));
    }

    @ParameterizedTest
    @MethodSource("invalidKeys")
    default void everyMethodRefusesAnInvalidKey(String key) {
        StorageBackend storage = storage();

        assertThatThrownBy(() -> storage.write(key, out -> out.write(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.read(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.read(key, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.stat(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.delete(key)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void aNullKeyIsRefused() {
        StorageBackend storage = storage();

        assertThatThrownBy(() -> storage.write(null, out -> out.write(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.read(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.list(null, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void listRefusesAPrefixThatClimbsOut() {
        StorageBackend storage = storage();

        assertThatThrownBy(() -> storage.list("../", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.list("/etc", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.list("a/../..", 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void unicodeKeysWork() throws IOException {
        StorageBackend storage = storage();

        put(storage, "sqlite/db-ü/日本 backup.db", new byte[] {5});

        assertThat(readAll(storage.read("sqlite/db-ü/日本 backup.db"))).containsExactly(5);
        assertThat(keys(storage.list("sqlite/", 10))).containsExactly("sqlite/db-ü/日本 backup.db");
    }
}

package dev.custos.storage;

import static dev.custos.storage.StorageBackendContract.bytes;
import static dev.custos.storage.StorageBackendContract.keys;
import static dev.custos.storage.StorageBackendContract.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the local filesystem, and what only a filesystem can get wrong: temp files, links, directories. */
class LocalStorageBackendTest implements StorageBackendContract {

    @TempDir
    Path dir;

    @TempDir
    Path outside;

    private LocalStorageBackend storage;

    @Override
    public LocalStorageBackend storage() {
        if (storage == null) {
            storage = new LocalStorageBackend(dir.resolve("backups"));
        }
        return storage;
    }

    private List<Path> filesUnderRoot() throws IOException {
        try (Stream<Path> files = Files.walk(storage().root())) {
            return files.filter(p -> !p.equals(storage().root())).toList();
        }
    }

    @Test
    void objectsAreFilesUnderTheRootNamedByTheirKey() throws IOException {
        put(storage(), "postgresql/db-1/20240115_120000.dump", new byte[] {1, 2});

        Path file = storage().root().resolve("postgresql/db-1/20240115_120000.dump");
        assertThat(file).isRegularFile().hasBinaryContent(new byte[] {1, 2});
    }

    @Test
    void abortIncompleteRemovesTheTempFilesADeadWriterLeftAndNothingElse() throws IOException {
        put(storage(), "postgresql/db-1/20240115_120000.dump", new byte[] {1, 2});
        Path folder = storage().root().resolve("postgresql/db-1");
        Files.write(folder.resolve(StorageKeys.TEMP_PREFIX + "dead-writer"), new byte[] {9});
        Path otherFolder = Files.createDirectories(storage().root().resolve("postgresql/db-2"));
        Files.write(otherFolder.resolve(StorageKeys.TEMP_PREFIX + "other"), new byte[] {9});

        assertThat(storage().abortIncomplete("postgresql/db-1/20240115_130000.dump")).isEqualTo(1);

        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("20240115_120000.dump");
        }
        assertThat(otherFolder.resolve(StorageKeys.TEMP_PREFIX + "other")).exists();
        assertThat(storage().abortIncomplete("postgresql/none/x.dump")).isZero();
    }

    @Test
    void objectsAndTheFoldersMadeForThemAreTheOwnersAlone() throws IOException {
        put(storage(), "postgresql/db-1/obj", new byte[] {1});

        assertThat(Files.getPosixFilePermissions(storage().root().resolve("postgresql/db-1/obj")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        for (String folder : List.of("postgresql", "postgresql/db-1")) {
            assertThat(Files.getPosixFilePermissions(storage().root().resolve(folder))).as(folder)
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                            PosixFilePermission.OWNER_EXECUTE);
        }
    }

    @Test
    void aWriteInProgressIsAHiddenTempFileBesideItsTarget() throws IOException {
        storage().write("postgresql/db-1/obj", out -> {
            out.write(new byte[] {1});
            try (Stream<Path> files = Files.list(storage().root().resolve("postgresql/db-1"))) {
                assertThat(files.map(p -> p.getFileName().toString()).toList())
                        .singleElement().asString().startsWith(StorageKeys.TEMP_PREFIX);
            }
            assertThat(storage().list("", 10)).as("list never shows a write in progress").isEmpty();
            assertThat(storage().stat("postgresql/db-1/obj")).isEmpty();
        });

        try (Stream<Path> files = Files.list(storage().root().resolve("postgresql/db-1"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("obj");
        }
    }

    @Test
    void aFailedWriteLeavesNoFileAndNoDirectoryItCreated() throws IOException {
        put(storage(), "postgresql/kept", new byte[] {1});

        assertThatThrownBy(() -> storage().write("postgresql/db-9/deep/failed", out -> {
            out.write(bytes(1024 * 1024, 1));
            throw new IOException("No space left on device");
        })).hasMessage("No space left on device");

        assertThat(filesUnderRoot()).containsExactlyInAnyOrder(storage().root().resolve("postgresql"),
                storage().root().resolve("postgresql/kept"));
    }

    @Test
    void deletePrunesEmptyFoldersUpToTheRootButNotTheRoot() throws IOException {
        put(storage(), "postgresql/db-1/a", new byte[] {1});
        put(storage(), "postgresql/db-2/b", new byte[] {1});

        storage().delete("postgresql/db-1/a");
        assertThat(filesUnderRoot()).containsExactlyInAnyOrder(storage().root().resolve("postgresql"),
                storage().root().resolve("postgresql/db-2"), storage().root().resolve("postgresql/db-2/b"));

        storage().delete("postgresql/db-2/b");
        assertThat(filesUnderRoot()).isEmpty();
        assertThat(storage().root()).isDirectory();
    }

    @Test
    void strayTempFilesAndOtherNamesAreNotListed() throws IOException {
        put(storage(), "db/obj", new byte[] {1});
        Files.write(storage().root().resolve("db/.tmp-left-by-a-crash"), new byte[] {9});
        Files.write(storage().root().resolve(".tmp-probe-x"), new byte[] {9});
        Files.write(storage().root().resolve("db/back\\slash"), new byte[] {9});

        assertThat(keys(storage().list("", 10))).containsExactly("db/obj");
    }

    @Test
    void aSymlinkedFolderOutOfTheRootIsNeitherWrittenNorRead() throws IOException {
        Files.write(outside.resolve("secret"), new byte[] {6, 6, 6});
        Files.createDirectories(storage().root());
        Files.createSymbolicLink(storage().root().resolve("escape"), outside);

        assertThatThrownBy(() -> put(storage(), "escape/new", new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the storage root");
        assertThatThrownBy(() -> put(storage(), "escape/deeper/new", new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage().read("escape/secret")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage().delete("escape/secret")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage().list("escape/", 10)).isInstanceOf(IllegalArgumentException.class);

        assertThat(storage().list("", 10)).isEmpty();
        assertThat(outside.resolve("secret")).exists();
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files).containsExactly(outside.resolve("secret"));
        }
    }

    @Test
    void aSymlinkedObjectIsNotFollowed() throws IOException {
        Files.write(outside.resolve("secret"), new byte[] {6, 6, 6});
        Files.createDirectories(storage().root().resolve("db"));
        Files.createSymbolicLink(storage().root().resolve("db/link"), outside.resolve("secret"));

        assertThatThrownBy(() -> storage().read("db/link")).isInstanceOf(NoSuchObjectException.class);
        assertThat(storage().stat("db/link")).isEmpty();
        assertThat(storage().list("", 10)).isEmpty();
        assertThat(storage().delete("db/link")).isFalse();
        assertThatThrownBy(() -> put(storage(), "db/link", new byte[] {1})).isInstanceOf(ObjectExistsException.class);
        assertThat(outside.resolve("secret")).hasBinaryContent(new byte[] {6, 6, 6});
    }

    @Test
    void aRootThatIsItselfASymlinkWorks() throws IOException {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        LocalStorageBackend linked = new LocalStorageBackend(link);

        put(linked, "a/b", new byte[] {3});

        assertThat(real.resolve("a/b")).hasBinaryContent(new byte[] {3});
        assertThat(keys(linked.list("", 10))).containsExactly("a/b");
        assertThat(linked.delete("a/b")).isTrue();
    }

    @Test
    void anObjectCannotAlsoBeAFolder() throws IOException {
        put(storage(), "a", new byte[] {1});

        assertThatThrownBy(() -> put(storage(), "a/b", new byte[] {2})).isInstanceOf(IOException.class)
                .hasMessageContaining("'a' is an object");
    }

    @Test
    void aMissingRootListsNothingAndIsCreatedByTheFirstWrite() throws IOException {
        Path root = dir.resolve("later/backups");
        LocalStorageBackend later = new LocalStorageBackend(root);
        Files.delete(root);

        assertThat(later.list("", 10)).isEmpty();
        assertThat(later.stat("x")).isEmpty();
        put(later, "x", new byte[] {1});

        assertThat(root.resolve("x")).exists();
    }

    @Test
    void aLargeFolderListsItsFirstPageInOrder() throws IOException {
        Path db = Files.createDirectories(storage().root().resolve("db"));
        for (int i = 4999; i >= 0; i--) {
            Files.write(db.resolve(String.format("%05d", i)), new byte[0]);
        }

        List<String> page = keys(storage().list("db/", 3));
        List<String> all = keys(storage().list("db/", 10_000));

        assertThat(page).containsExactly("db/00000", "db/00001", "db/00002");
        assertThat(all).hasSize(5000).isSorted();
    }

    @Test
    void theProbeWritesAndLeavesNothing() throws IOException {
        LocalStorageBackend.Probe probe = storage().probe();

        assertThat(probe.healthy()).isTrue();
        assertThat(probe.freeBytes()).isPositive();
        assertThat(filesUnderRoot()).isEmpty();
    }
}

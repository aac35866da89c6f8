package dev.custos.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where backup objects live. Keys are relative, '/'-separated names validated by {@link StorageKeys}.
 * Every method's contract is checked for every backend by {@code StorageBackendContract}.
 */
public interface StorageBackend {

    /** Streams an object's content into the store. */
    @FunctionalInterface
    interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * All-or-nothing and write-once: the object becomes visible under {@code key} only after the writer returned
     * normally and every byte is durable (local: temp file, fsync, atomic rename, fsync of the directory). If the
     * writer throws, nothing is left behind and the exception propagates. Writing a key that exists fails with
     * {@link ObjectExistsException}.
     */
    StoredObject write(String key, ContentWriter writer) throws IOException;

    /** The whole object. @throws NoSuchObjectException when absent */
    InputStream read(String key) throws IOException;

    /** {@code length} bytes from {@code offset} (fewer at the end of the object). @throws NoSuchObjectException */
    InputStream read(String key, long offset, long length) throws IOException;

    /** Objects whose key starts with {@code prefix} ("" for all), sorted by key, at most {@code limit}. */
    List<StoredObject> list(String prefix, int limit) throws IOException;

    Optional<StoredObject> stat(String key) throws IOException;

    /** @return false when there was no such object */
    boolean delete(String key) throws IOException;

    /**
     * Removes what interrupted writes left in the folder of {@code key} (local: temporary files; object stores:
     * open multipart uploads), after the process writing them died. The caller guarantees that no write into that
     * folder is in progress: backups of one database share a folder, and at most one of them runs at a time.
     *
     * @return how many leftovers were removed
     */
    int abortIncomplete(String key) throws IOException;

    Capabilities capabilities();

    /** What a backend can do beyond the contract. */
    record Capabilities(boolean immutable, boolean presignedUrls) {
    }
}

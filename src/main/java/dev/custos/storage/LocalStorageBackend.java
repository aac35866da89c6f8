package dev.custos.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.custos.catalog.CustosProperties;

/**
 * Objects as files under {@code custos.storage.local.path} ({@code ./data/backups} by default), a key's segments
 * as directories. A write streams into a hidden temp file beside its target, is forced to disk, and is published by
 * a hard link, which fails atomically when the name exists: a reader sees the whole object or none, and an object is
 * never replaced. Symbolic links are not followed out of the root.
 */
@Component
public class LocalStorageBackend implements StorageBackend {

    private static final Logger log = LoggerFactory.getLogger(LocalStorageBackend.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    /** How much a write puts in the page cache before it has it flushed to disk behind the writer. */
    static final long WRITE_BEHIND = 32L * 1024 * 1024;
    /** Background fdatasyncs of writes in progress; idle threads end. */
    private static final ExecutorService FLUSHER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "custos-storage-flush");
        t.setDaemon(true);
        return t;
    });
    /** Backups hold whole databases: only the account Custos runs as may read them (where the filesystem has modes). */
    private static final String FILE_MODE = "rw-------";
    private static final String DIRECTORY_MODE = "rwx------";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /** A concurrent delete may prune the directory a write just created; the write then creates it again. */
    private static final int PUBLISH_ATTEMPTS = 5;

    private final Path root;

    @Autowired
    public LocalStorageBackend(CustosProperties properties) {
        this(properties.storage().local().path());
    }

    public LocalStorageBackend(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException | SecurityException e) {
            // Storage that cannot be reached must not keep the API (and its status page) from starting: the
            // probe reports it as unhealthy and tries again each time, so a mount that appears later is used.
            log.warn("Backup storage at {} cannot be created yet: {}", this.root, e.toString());
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, false);
    }

    @Override
    public StoredObject write(String key, ContentWriter writer) throws IOException {
        StorageKeys.validate(key);
        Files.createDirectories(root);
        Path realRoot = root.toRealPath();
        String name = key.substring(key.lastIndexOf('/') + 1);
        for (int attempt = 1; ; attempt++) {
            Path dir = directoriesFor(key, realRoot);
            Path target = dir.resolve(name);
            if (Files.exists(target, NOFOLLOW)) {
                // Fail before the writer streams a whole dump that could never be published.
                throw new ObjectExistsException(key);
            }
            Path temp = dir.resolve(StorageKeys.TEMP_PREFIX + HexFormat.of().formatHex(randomBytes()));
            FileChannel channel;
            try {
                channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        ownerOnly(FILE_MODE));
            } catch (NoSuchFileException e) {
                if (attempt < PUBLISH_ATTEMPTS) {
                    continue;
                }
                throw e;
            }
            ChannelOutput out = new ChannelOutput(channel);
            try {
                try (channel) {
                    try {
                        writer.writeTo(out);
                        out.force();
                    } catch (Throwable e) {
                        out.abandon();
                        throw e;
                    }
                }
                publish(key, temp, target);
            } catch (Throwable e) {
                deleteQuietly(temp);
                pruneEmptyDirectories(dir, realRoot);
                throw e;
            }
            syncDirectories(dir, realRoot);
            return stat(key).orElseThrow(() -> new NoSuchObjectException(key));
        }
    }

    @Override
    public InputStream read(String key) throws IOException {
        return Channels.newInputStream(open(key));
    }

    @Override
    public InputStream read(String key, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be 0 or more (got " + offset + ", " + length + ")");
        }
        SeekableByteChannel channel = open(key);
        try {
            channel.position(offset);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new BoundedInput(Channels.newInputStream(channel), length);
    }

    @Override
    public Optional<StoredObject> stat(String key) throws IOException {
        StorageKeys.validate(key);
        Path file = root.resolve(key);
        Optional<Path> realRoot = realRoot();
        if (realRoot.isEmpty() || !parentInside(key, file, realRoot.get())) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW);
            return a.isRegularFile() ? Optional.of(new StoredObject(key, a.size(), a.lastModifiedTime().toInstant()))
                    : Optional.empty();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        StorageKeys.validate(key);
        Optional<Path> realRoot = realRoot();
        Path file = root.resolve(key);
        if (realRoot.isEmpty() || !parentInside(key, file, realRoot.get())) {
            return false;
        }
        Path real = realRoot.get().resolve(key);
        try {
            if (!Files.readAttributes(real, BasicFileAttributes.class, NOFOLLOW).isRegularFile()) {
                return false;
            }
            Files.delete(real);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return false;
        }
        pruneEmptyDirectories(real.getParent(), realRoot.get());
        return true;
    }

    @Override
    public int abortIncomplete(String key) throws IOException {
        StorageKeys.validate(key);
        Optional<Path> realRoot = realRoot();
        Path file = root.resolve(key);
        if (realRoot.isEmpty() || !parentInside(key, file, realRoot.get())) {
            return 0;
        }
        Path dir = realRoot.get().resolve(key).getParent();
        if (!Files.isDirectory(dir, NOFOLLOW)) {
            return 0;
        }
        int removed = 0;
        try (java.nio.file.DirectoryStream<Path> temps = Files.newDirectoryStream(dir, StorageKeys.TEMP_PREFIX + "*")) {
            for (Path temp : temps) {
                if (Files.isRegularFile(temp, NOFOLLOW)) {
                    Files.deleteIfExists(temp);
                    removed++;
                }
            }
        }
        pruneEmptyDirectories(dir, realRoot.get());
        return removed;
    }

    /**
     * A depth-first walk in key order that holds, per directory level, at most the {@code limit} smallest names it
     * still needs (a bounded heap), never a whole directory: a folder of a million objects lists its first page in
     * one pass over the directory without sorting it.
     */
    @Override
    public List<StoredObject> list(String prefix, int limit) throws IOException {
        StorageKeys.validatePrefix(prefix);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be 1 or more (got " + limit + ")");
        }
        Optional<Path> realRoot = realRoot();
        if (realRoot.isEmpty()) {
            return List.of();
        }
        int slash = prefix.lastIndexOf('/');
        String dirKey = prefix.substring(0, slash + 1);
        Path dir = realRoot.get().resolve(dirKey);
        List<StoredObject> out = new ArrayList<>(Math.min(limit, 1024));
        if (dirKey.isEmpty() || isDirectoryInside(dir, realRoot.get())) {
            walk(dir, dirKey, prefix.substring(slash + 1), limit, out);
        }
        return out;
    }

    /** A status check: writes, reads back and deletes a small file. A directory that exists but cannot be written is not healthy. */
    public Probe probe() {
        Path file = root.resolve(StorageKeys.TEMP_PREFIX + "probe-" + HexFormat.of().formatHex(randomBytes()));
        try {
            Files.createDirectories(root);
            Files.writeString(file, "probe");
            if (!Files.readString(file).equals("probe")) {
                return new Probe(false, "Storage at " + root + " returned different bytes than were written", 0);
            }
            return new Probe(true, "Storage is accessible", Files.getFileStore(root).getUsableSpace());
        } catch (IOException | SecurityException e) {
            return new Probe(false, "Storage at " + root + " is not writable: " + e.getMessage(), 0);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A leftover probe file is harmless: list never shows it, and the next probe uses another name.
            }
        }
    }

    public record Probe(boolean healthy, String message, long freeBytes) {
    }

    private record Entry(String sortKey, String name, Path path, boolean directory, BasicFileAttributes attributes) {
    }

    private static final Comparator<Entry> BY_KEY = Comparator.comparing(Entry::sortKey);

    private static void walk(Path dir, String dirKey, String namePrefix, int limit, List<StoredObject> out)
            throws IOException {
        String after = null;
        while (out.size() < limit) {
            int wanted = limit - out.size();
            PriorityQueue<Entry> largestFirst = new PriorityQueue<>(Math.min(wanted, 1024) + 1, BY_KEY.reversed());
            boolean more = false;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path path : entries) {
                    String name = path.getFileName().toString();
                    if (!name.startsWith(namePrefix) || !StorageKeys.isValidSegment(name)) {
                        continue;
                    }
                    // A directory sorts as name + "/": "a-b" < "a/x" < "a0" in key order. Both forms of a name are
                    // compared before the stat, so most entries of a huge directory are dropped without one.
                    if (after != null && (name + "/").compareTo(after) <= 0) {
                        continue;
                    }
                    if (largestFirst.size() >= wanted && name.compareTo(largestFirst.peek().sortKey()) >= 0) {
                        more = true;
                        continue;
                    }
                    BasicFileAttributes a;
                    try {
                        a = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
                    } catch (NoSuchFileException e) {
                        continue;
                    }
                    if (!a.isRegularFile() && !a.isDirectory()) {
                        continue;
                    }
                    String sortKey = a.isDirectory() ? name + "/" : name;
                    if (after != null && sortKey.compareTo(after) <= 0) {
                        continue;
                    }
                    largestFirst.add(new Entry(sortKey, name, path, a.isDirectory(), a));
                    if (largestFirst.size() > wanted) {
                        largestFirst.poll();
                        more = true;
                    }
                }
            } catch (NoSuchFileException | NotDirectoryException e) {
                return; // pruned by a concurrent delete
            }
            if (largestFirst.isEmpty()) {
                return;
            }
            Entry[] batch = largestFirst.toArray(new Entry[0]);
            Arrays.sort(batch, BY_KEY);
            for (Entry e : batch) {
                if (out.size() >= limit) {
                    return;
                }
                if (e.directory()) {
                    walk(e.path(), dirKey + e.name() + "/", "", limit, out);
                } else {
                    out.add(new StoredObject(dirKey + e.name(), e.attributes().size(),
                            e.attributes().lastModifiedTime().toInstant()));
                }
                after = e.sortKey();
            }
            if (!more) {
                return;
            }
        }
    }

    /**
     * Creates the key's directories one level at a time, checking each resolves inside the root before going
     * deeper, so a symbolic link planted in the store cannot make a write create anything outside it.
     */
    private static Path directoriesFor(String key, Path realRoot) throws IOException {
        Path dir = realRoot;
        int start = 0;
        for (int slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', start)) {
            dir = dir.resolve(key.substring(start, slash));
            start = slash + 1;
            try {
                Files.createDirectory(dir, ownerOnly(DIRECTORY_MODE));
            } catch (FileAlreadyExistsException e) {
                if (!dir.toRealPath().startsWith(realRoot)) {
                    throw escapes(key);
                }
                if (!Files.isDirectory(dir)) {
                    throw new IOException("cannot store '" + key + "': '" + realRoot.relativize(dir)
                            + "' is an object, not a folder");
                }
            }
        }
        return dir;
    }

    private static void publish(String key, Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw new ObjectExistsException(key);
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
                throw e;
            }
            // A filesystem without hard links (some FUSE and SMB mounts): rename instead. It replaces a name that
            // appeared since the check above, so write-once holds only against writers that are not concurrent.
            if (Files.exists(target, NOFOLLOW)) {
                throw new ObjectExistsException(key);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        deleteQuietly(temp);
    }

    /** The new name is durable only once its directory is; directories created for it are entries of their parents. */
    private static void syncDirectories(Path dir, Path realRoot) throws IOException {
        for (Path d = dir; d != null && d.startsWith(realRoot); d = d.getParent()) {
            try (FileChannel channel = FileChannel.open(d, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    }

    private static void pruneEmptyDirectories(Path dir, Path realRoot) {
        for (Path d = dir; d != null && d.startsWith(realRoot) && !d.equals(realRoot); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (NoSuchFileException e) {
                // already pruned by someone else; go on with its parent
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (IOException e) {
                log.debug("Cannot prune {}: {}", d, e.toString());
                return;
            }
        }
    }

    private SeekableByteChannel open(String key) throws IOException {
        StorageKeys.validate(key);
        Optional<Path> realRoot = realRoot();
        Path file = root.resolve(key);
        if (realRoot.isEmpty() || !parentInside(key, file, realRoot.get())) {
            throw new NoSuchObjectException(key);
        }
        try {
            if (!Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW).isRegularFile()) {
                throw new NoSuchObjectException(key);
            }
            return Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new NoSuchObjectException(key);
        }
    }

    private Optional<Path> realRoot() throws IOException {
        try {
            return Optional.of(root.toRealPath());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the file's directory resolves inside the root; the file itself is then opened without following a link.
     * A key whose folder is a link out of the store is refused, not treated as missing: someone planted it.
     */
    private static boolean parentInside(String key, Path file, Path realRoot) throws IOException {
        Path parent;
        try {
            parent = file.getParent().toRealPath();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return false;
        }
        if (!parent.startsWith(realRoot)) {
            throw escapes(key);
        }
        return true;
    }

    private static boolean isDirectoryInside(Path dir, Path realRoot) throws IOException {
        try {
            Path real = dir.toRealPath();
            if (!real.startsWith(realRoot)) {
                throw new IllegalArgumentException("storage prefix resolves outside the storage root");
            }
            return Files.isDirectory(real);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return false;
        }
    }

    private static IllegalArgumentException escapes(String key) {
        return new IllegalArgumentException("storage key '" + key + "' resolves outside the storage root");
    }

    private static FileAttribute<?>[] ownerOnly(String mode) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))}
                : new FileAttribute<?>[0];
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Cannot remove the temporary file {}: {}", file, e.toString());
        }
    }

    /**
     * What a writer writes into: straight to the file channel, no buffer of its own (the pipeline hands over large
     * chunks). {@code close} does not close the channel: the backend still has to force it to disk.
     * <p>
     * Every {@link #WRITE_BEHIND} bytes it has the data written so far flushed to disk on another thread, while the
     * writer goes on: otherwise the kernel keeps a whole backup dirty in memory, and the final fsync waits for all
     * of it at once, after the dump has finished (a quarter of a second per 300 MB on a fast disk, seconds on a slow one).
     */
    private static final class ChannelOutput extends OutputStream {

        private final FileChannel channel;
        private long sinceFlush;
        private Future<?> flushing;

        ChannelOutput(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            sinceFlush += len;
            if (sinceFlush >= WRITE_BEHIND && (flushing == null || flushing.isDone())) {
                awaitFlush(); // reports a failed background flush now, not only at the end
                sinceFlush = 0;
                flushing = FLUSHER.submit(() -> {
                    channel.force(false);
                    return null;
                });
            }
        }

        /** Everything written is on disk, data and metadata, or this throws. */
        void force() throws IOException {
            // A failed background fdatasync may have consumed the error, so the final fsync could succeed: report it.
            awaitFlush();
            channel.force(true);
        }

        /** Waits for a background flush, so none outlives the channel of a failed write. */
        void abandon() {
            try {
                awaitFlush();
            } catch (IOException e) {
                // the write failed anyway, and its temp file goes
            }
        }

        private void awaitFlush() throws IOException {
            if (flushing == null) {
                return;
            }
            try {
                flushing.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while flushing to disk");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } finally {
                flushing = null;
            }
        }
    }

    /** At most {@code remaining} bytes of a stream: the answer to an HTTP Range request. */
    private static final class BoundedInput extends InputStream {

        private final InputStream in;
        private long remaining;

        BoundedInput(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

package dev.custos.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.google.crypto.tink.StreamingAead;
import org.springframework.stereotype.Component;

import dev.custos.storage.NoSuchObjectException;
import dev.custos.storage.StorageBackend;
import dev.custos.storage.StoredObject;

/**
 * Owns the order of a backup's bytes: dump → compress → encrypt → SHA-256 and count → storage, and the reverse.
 * Every stage streams with a bounded buffer of its own (zstd about 128 KB, lz4 4 MB blocks, encryption 1 MB
 * segments), so a dump of any size passes in bounded memory and nothing is spooled to disk. The hash and size are
 * of the stored bytes, so an object can be checked without its key; encryption authenticates every segment, so an
 * altered or truncated encrypted object fails to decrypt whatever its recorded hash.
 */
@Component
public class ArtifactPipeline {

    /**
     * Bound into every encrypted object. It names the format, not the object, so an object stays decryptable from
     * storage and its key alone, even after it is renamed or copied elsewhere.
     */
    public static final String ASSOCIATED_DATA = "custos-backup-v1";
    private static final byte[] AD = ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);
    /** How often a running dump reports its raw byte count: often enough for a progress bar, rarely enough to be free. */
    static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;
    private static final int READ_BUFFER = 256 * 1024;

    private final KeyRing keys;

    public ArtifactPipeline(KeyRing keys) {
        this.keys = keys;
        warmUpGcmInBackground();
    }

    /**
     * Stores what {@code dump} writes under {@code key}: all of it, or, if anything throws, nothing (the exception
     * propagates). {@code rawBytesProgress} receives the running total of raw dump bytes, at most every 250 ms and
     * once at the end.
     */
    public <T> Artifact<T> store(StorageBackend storage, String key, CompressionSpec compression, boolean encrypt,
            DumpWriter<T> dump, LongConsumer rawBytesProgress) throws IOException {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(dump, "dump");
        LongConsumer progress = rawBytesProgress == null ? bytes -> { } : rawBytesProgress;
        String keyId = encrypt ? keys.activeKeyId() : null;
        StreamingAead aead = encrypt ? key(key, keyId) : null;
        if (encrypt) {
            GcmWarmUp.done();
        }
        Written<T> written = new Written<>();
        StoredObject object = storage.write(key, out -> write(out, compression, aead, dump, progress, written));
        return new Artifact<>(object, written.rawBytes, written.storedBytes, written.sha256, keyId, written.dump);
    }

    private static final class Written<T> {
        T dump;
        long rawBytes;
        long storedBytes;
        String sha256;
    }

    private static <T> void write(OutputStream out, CompressionSpec compression, StreamingAead aead, DumpWriter<T> dump,
            LongConsumer progress, Written<T> written) throws IOException {
        StoredOutput stored = new StoredOutput(out);
        OutputStream chain = stored;
        try {
            if (aead != null) {
                chain = encrypting(aead, stored);
            }
            chain = Codecs.compressing(compression, chain);
            RawOutput raw = new RawOutput(chain, progress);
            written.dump = dump.writeTo(raw);
            // Ends the compressed frame and writes the last encrypted segment; the storage stream stays open.
            chain.close();
            raw.reportFinal();
            written.rawBytes = raw.count;
            written.storedBytes = stored.count;
            written.sha256 = stored.sha256();
        } catch (Throwable e) {
            // Free the compressor's native memory; what it still writes goes nowhere, and the storage drops the rest.
            stored.abandon();
            try {
                chain.close();
            } catch (Throwable suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static OutputStream encrypting(StreamingAead aead, OutputStream out) throws IOException {
        try {
            return aead.newEncryptingStream(out, AD);
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot start encrypting: " + e.getMessage(), e);
        }
    }

    /** The stored object, decoded, for a caller that reads it once. See {@link #open(StorageBackend, String, long, String, CompressionSpec.Algorithm, String)}. */
    public InputStream open(StorageBackend storage, Manifest manifest) throws IOException {
        return open(storage, manifest.objectKey(), manifest.storedBytes(), manifest.sha256(),
                CompressionSpec.Algorithm.fromValue(manifest.compression()), manifest.encryptionKeyId());
    }

    /**
     * The stored object, decrypted and decompressed. The stored bytes are hashed as they are read; at the end of
     * the stream their size and SHA-256 are compared with the expected ones, so a caller must read to EOF before it
     * trusts what it read. Anything that shows the object is not what was written (mismatch, corrupt or truncated
     * stream, wrong or unknown key) is an {@link IntegrityException}; other {@link IOException}s are the storage's.
     *
     * @param keyId the encryption key's id, null when the object is not encrypted
     */
    public InputStream open(StorageBackend storage, String key, long storedBytes, String sha256,
            CompressionSpec.Algorithm compression, String keyId) throws IOException {
        return decode(storage, key, storedBytes, sha256, compression, keyId);
    }

    /**
     * Reads the whole object through {@link #open} and says whether it is intact. Answers for the object, not the
     * storage: a missing or corrupt object is a failed verification; a storage error is thrown, it may pass.
     */
    public Verification verify(StorageBackend storage, Manifest manifest) throws IOException {
        Decoded in;
        try {
            in = decode(storage, manifest.objectKey(), manifest.storedBytes(), manifest.sha256(),
                    CompressionSpec.Algorithm.fromValue(manifest.compression()), manifest.encryptionKeyId());
        } catch (NoSuchObjectException e) {
            return new Verification(false, "Object '" + manifest.objectKey() + "' is missing", 0, null, 0, true);
        } catch (IntegrityException e) {
            return new Verification(false, e.getMessage(), 0, null, 0, !e.decryptionFailed());
        }
        try (in) {
            byte[] buffer = new byte[READ_BUFFER];
            while (in.read(buffer) >= 0) {
                // counted by the stream
            }
        } catch (IntegrityException e) {
            return new Verification(false, e.getMessage(), in.stored.count, in.stored.sha256, in.rawBytes,
                    !e.decryptionFailed());
        }
        if (manifest.rawBytes() >= 0 && in.rawBytes != manifest.rawBytes()) {
            return new Verification(false, "Object '" + manifest.objectKey() + "' decodes to " + in.rawBytes
                    + " bytes; its manifest says " + manifest.rawBytes(), in.stored.count, in.stored.sha256, in.rawBytes, true);
        }
        return new Verification(true, "verified", in.stored.count, in.stored.sha256, in.rawBytes, true);
    }

    private Decoded decode(StorageBackend storage, String key, long storedBytes, String sha256,
            CompressionSpec.Algorithm compression, String keyId) throws IOException {
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(compression, "compression");
        StreamingAead aead = keyId == null ? null : key(key, keyId);
        if (aead != null) {
            GcmWarmUp.done();
        }
        StoredInput stored = new StoredInput(storage.read(key), key, storedBytes, sha256);
        InputStream in = stored;
        try {
            if (aead != null) {
                in = new Decrypting(aead.newDecryptingStream(stored, AD), stored, keyId);
            }
            // gzip and lz4 read their header here, so a corrupt object can fail before the first read.
            in = Codecs.decompressing(compression, in);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            try {
                stored.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw stored.classify(e);
        }
        return new Decoded(in, stored);
    }

    private StreamingAead key(String objectKey, String keyId) throws IntegrityException {
        Optional<StreamingAead> aead;
        try {
            aead = keys.streamingAead(keyId);
        } catch (GeneralSecurityException e) {
            throw new IntegrityException("Encryption key '" + keyId + "' of '" + objectKey
                    + "' cannot be unwrapped: is this the master key it was made with? (" + e.getMessage() + ")", true, e);
        }
        return aead.orElseThrow(() -> new IntegrityException("'" + objectKey + "' is encrypted with key '" + keyId
                + "', which this catalog does not have", true, null));
    }

    /**
     * The JDK's AES-GCM is fast (GB/s) only once the JIT has compiled the code around its intrinsic, which counts
     * calls: with 1 MB segments that takes some 600 MB encrypted at about 100 MB/s, on every start, so the first
     * backups after a start would spend seconds per gigabyte. A few thousand 1 KB calls (about 0.2 s of CPU, once per
     * process) get the same compilation. It starts in the background with the pipeline, so a backup rarely waits for
     * it; an encrypted store or open waits for it to finish. Tink uses the same JDK cipher, so its segments are then
     * fast from the first. Measured in docs/benchmarks.md, "Pipeline throughput".
     */
    private static final class GcmWarmUp {

        static {
            try {
                SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                byte[] plain = new byte[1024];
                byte[] sealed = new byte[plain.length + 16];
                byte[] nonce = new byte[12];
                for (int i = 0; i < 3000; i++) {
                    // A nonce is never reused under one key: GCM refuses that, even for a warm-up.
                    nonce[0] = (byte) i;
                    nonce[1] = (byte) (i >>> 8);
                    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
                    cipher.doFinal(ByteBuffer.wrap(plain), ByteBuffer.wrap(sealed));
                    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
                    cipher.doFinal(ByteBuffer.wrap(sealed), ByteBuffer.wrap(plain));
                }
            } catch (GeneralSecurityException e) {
                // Only slower without it: encryption itself reports what is wrong with the cipher.
            }
        }

        static void done() {
            // The static initializer ran, exactly once, before this returns (the JVM makes other callers wait).
        }
    }

    private static final AtomicBoolean GCM_WARM_UP_STARTED = new AtomicBoolean();

    /**
     * Runs {@link GcmWarmUp}'s initializer on a daemon thread, once per process. It lives outside that class: calling
     * a static method of it would run the initializer on the caller's thread.
     */
    private static void warmUpGcmInBackground() {
        if (GCM_WARM_UP_STARTED.compareAndSet(false, true)) {
            Thread t = new Thread(GcmWarmUp::done, "custos-gcm-warm-up");
            t.setDaemon(true);
            t.start();
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    /** The bottom of the write side: hashes and counts the bytes the storage receives. Never closes the storage's stream. */
    private static final class StoredOutput extends OutputStream {

        private final OutputStream out;
        private final MessageDigest digest = newSha256();
        private long count;
        private boolean abandoned;

        StoredOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (!abandoned) {
                out.write(b);
                digest.update((byte) b);
                count++;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!abandoned) {
                out.write(b, off, len);
                digest.update(b, off, len);
                count += len;
            }
        }

        void abandon() {
            abandoned = true;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    /**
     * The top of the write side, what the dump writes into. It counts raw bytes for progress, and ignores flush and
     * close: a dump tool's flushes would otherwise end compression blocks early, and only the pipeline knows when
     * the object is complete.
     */
    private static final class RawOutput extends OutputStream {

        private final OutputStream next;
        private final LongConsumer progress;
        private long count;
        private long reportedAt;
        private boolean reported;

        RawOutput(OutputStream next, LongConsumer progress) {
            this.next = next;
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            next.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            // Counted and reported before the write, which may block on slow storage: progress then shows what the
            // dump has produced, and the first chunk is reported at once rather than after the first interval.
            count += len;
            long now = System.nanoTime();
            if (!reported || now - reportedAt >= PROGRESS_INTERVAL_NANOS) {
                reported = true;
                reportedAt = now;
                progress.accept(count);
            }
            next.write(b, off, len);
        }

        void reportFinal() {
            progress.accept(count);
        }
    }

    /**
     * The bottom of the read side: hashes and counts the stored bytes, and remembers a failure of the storage
     * itself, so it is not mistaken for a corrupt object by the stages above.
     */
    private static final class StoredInput extends InputStream {

        private final InputStream in;
        private final String key;
        private final long expectedSize;
        private final String expectedSha256;
        private final MessageDigest digest = newSha256();
        private long count;
        private String sha256;
        private IOException storageFailure;

        StoredInput(InputStream in, String key, long expectedSize, String expectedSha256) {
            this.in = in;
            this.key = key;
            this.expectedSize = expectedSize;
            this.expectedSha256 = expectedSha256;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                storageFailure = e;
                throw e;
            }
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
                if (count > expectedSize) {
                    throw new IntegrityException("Object '" + key + "' is longer than its recorded " + expectedSize + " bytes");
                }
            }
            return n;
        }

        /** Reads what the decoders left (trailing bytes) and checks size and hash. */
        void finish() throws IOException {
            if (sha256 != null) {
                return;
            }
            byte[] rest = new byte[8192];
            while (read(rest, 0, rest.length) >= 0) {
                // hashed and counted by read
            }
            sha256 = HexFormat.of().formatHex(digest.digest());
            if (count != expectedSize) {
                throw new IntegrityException("Object '" + key + "' is " + count + " bytes; " + expectedSize
                        + " were written (truncated or replaced)");
            }
            if (!sha256.equalsIgnoreCase(expectedSha256)) {
                throw new IntegrityException("Object '" + key + "' has SHA-256 " + sha256 + "; " + expectedSha256
                        + " was written");
            }
        }

        /** A failure seen above this stream: the storage's own is rethrown as it is, anything else is the object's fault. */
        IOException classify(Exception e) {
            if (e instanceof IntegrityException integrity) {
                return integrity;
            }
            if (storageFailure != null) {
                // Tink tries every key of a keyset on the first segment and reports "no matching key" whatever
                // stopped it; the storage's own error is the true one.
                return storageFailure;
            }
            return new IntegrityException("Object '" + key + "' is corrupt: " + e.getMessage(), false, e);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Tink's decrypting stream, its failures named for what they mean: the key does not open this ciphertext. */
    private static final class Decrypting extends InputStream {

        private final InputStream in;
        private final StoredInput stored;
        private final String keyId;

        Decrypting(InputStream in, StoredInput stored, String keyId) {
            this.in = in;
            this.stored = stored;
            this.keyId = keyId;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                if (e instanceof IntegrityException || stored.storageFailure != null) {
                    throw stored.classify(e);
                }
                throw new IntegrityException("Object '" + stored.key + "' cannot be decrypted with key '" + keyId
                        + "': it was altered or cut short, or encrypted with another key (" + e.getMessage().strip() + ")",
                        true, e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The top of the read side: the decoded bytes, with the size and hash check at their end. */
    private static final class Decoded extends InputStream {

        private final InputStream in;
        private final StoredInput stored;
        private long rawBytes;

        Decoded(InputStream in, StoredInput stored) {
            this.in = in;
            this.stored = stored;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
                if (n < 0) {
                    stored.finish();
                    return -1;
                }
            } catch (IOException | RuntimeException e) {
                throw stored.classify(e);
            }
            rawBytes += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

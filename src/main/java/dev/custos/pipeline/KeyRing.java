package dev.custos.pipeline;

import java.security.GeneralSecurityException;
import java.util.Optional;

import com.google.crypto.tink.StreamingAead;

/**
 * The keys the pipeline encrypts and decrypts with, by id. {@link EncryptionKeys} keeps them in the catalog; tests
 * and tools that have no catalog hold them in memory.
 */
public interface KeyRing {

    /** The id of the key new backups are encrypted with; a key ring may create its first key on this call. */
    String activeKeyId();

    /**
     * The key with this id, active or retired; empty when the ring never had it.
     *
     * @throws GeneralSecurityException when the key is there but cannot be unwrapped (another master key)
     */
    Optional<StreamingAead> streamingAead(String keyId) throws GeneralSecurityException;

    /**
     * The key with this id as stored: its keyset sealed under the master key, for a manifest to carry. Empty when the
     * ring never had it or keeps no sealed form.
     */
    default Optional<String> sealedKeyset(String keyId) {
        return Optional.empty();
    }
}

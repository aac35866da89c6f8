package dev.custos.pipeline;

import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.google.crypto.tink.StreamingAead;

/** A key ring without a catalog: fresh keys by id, the newest one active. */
final class MemoryKeys implements KeyRing {

    private final Map<String, StreamingAead> keys = new LinkedHashMap<>();
    private String active;

    MemoryKeys() {
        rotate();
    }

    synchronized String rotate() {
        try {
            active = "key-test" + keys.size();
            keys.put(active, EncryptionKeys.primitive(EncryptionKeys.generate()));
            return active;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized String activeKeyId() {
        return active;
    }

    @Override
    public synchronized Optional<StreamingAead> streamingAead(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }
}

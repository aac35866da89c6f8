package dev.custos.pipeline;

import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;

import dev.custos.catalog.SecretBox;

/**
 * Keys held as they are sealed in the catalog and in manifests (a Tink keyset under the master key, the key's id as
 * associated data), opened on use. What the disaster tools read backups with when there is no catalog: the keysets
 * come from the manifests, the master key from its file. It only reads: it has no key to encrypt new backups with.
 */
public final class SealedKeys implements KeyRing {

    static {
        try {
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SecretBox secrets;
    private final Map<String, String> sealedById;

    /** @param secrets null when no key needs opening (every object is unencrypted) */
    public SealedKeys(SecretBox secrets, Map<String, String> sealedById) {
        this.secrets = secrets;
        this.sealedById = Map.copyOf(sealedById);
    }

    @Override
    public String activeKeyId() {
        throw new UnsupportedOperationException("Sealed keys from manifests only decrypt; new backups use the catalog's keys");
    }

    @Override
    public Optional<String> sealedKeyset(String keyId) {
        return Optional.ofNullable(sealedById.get(keyId));
    }

    @Override
    public Optional<StreamingAead> streamingAead(String keyId) throws GeneralSecurityException {
        String sealed = sealedById.get(keyId);
        if (sealed == null) {
            return Optional.empty();
        }
        if (secrets == null) {
            throw new GeneralSecurityException("no master key to open key '" + keyId + "' with");
        }
        return Optional.of(EncryptionKeys.primitive(unseal(secrets, keyId, sealed)));
    }

    /** A sealed keyset opened with the master key; fails when it is another master key or the keyset was altered. */
    static KeysetHandle unseal(SecretBox secrets, String keyId, String sealed) throws GeneralSecurityException {
        String encoded;
        try {
            encoded = secrets.decrypt(sealed, keyId);
        } catch (IllegalStateException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
        return TinkProtoKeysetFormat.parseKeyset(Base64.getDecoder().decode(encoded), InsecureSecretKeyAccess.get());
    }
}

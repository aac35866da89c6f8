package dev.custos.audit;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Ed25519 public keys that check checkpoint signatures, in the server and in the offline verifier. */
public final class PublicKeys {

    private static final Pattern PEM = Pattern.compile("-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

    private PublicKeys() {
    }

    /** A public key with its id (the first 16 hex digits of the SHA-256 of its X.509 encoding). */
    public record Key(String keyId, PublicKey key, String pem) {

        static Key of(PublicKey key) {
            return new Key(SigningKey.keyId(key.getEncoded()), key, SigningKey.pem("PUBLIC KEY", key.getEncoded()));
        }

        /** Whether {@code signature} (base64) is this key's signature of {@code message}; false for any malformed input. */
        public boolean verifies(byte[] message, String signature) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(message);
                return s.verify(Base64.getDecoder().decode(signature));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return false;
            }
        }
    }

    /** Reads a PEM {@code PUBLIC KEY} (the content of {@code /api/audit/public-key}'s {@code public_key_pem}). */
    public static Key parsePem(String text) {
        Matcher m = PEM.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("not a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)");
        }
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1).trim())));
            return Key.of(key);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }
}

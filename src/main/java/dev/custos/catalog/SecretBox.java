package dev.custos.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Encrypts secrets (database passwords) before they reach the catalog, with AES-256-GCM under the master
 * key. The associated data binds each ciphertext to its row and column, so a ciphertext copied into another
 * row does not decrypt. The master key comes from {@code CUSTOS_MASTER_KEY} (base64) or a file; on first
 * start the file is generated with mode 0600.
 */
@Component
public class SecretBox {

    private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
    private static final String VERSION = "v1:";
    private static final int NONCE_BYTES = 12;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    @Autowired
    public SecretBox(CustosProperties properties) {
        this(loadKey(properties));
    }

    private SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * A box over a master key that must already exist: {@code masterKey} (base64, as in {@code CUSTOS_MASTER_KEY})
     * when given, else the file. Unlike the server, it never generates one: a tool that opens old secrets with a new
     * key would only fail later, and less clearly.
     *
     * @throws IllegalStateException when there is no key, or it is not a valid master key
     */
    public static SecretBox withExistingKey(String masterKey, Path masterKeyFile) {
        if (masterKey != null && !masterKey.isBlank()) {
            return new SecretBox(decodeKey(masterKey.trim(), "CUSTOS_MASTER_KEY"));
        }
        if (masterKeyFile == null || !Files.exists(masterKeyFile)) {
            throw new IllegalStateException("No master key: " + (masterKeyFile == null ? "no master key file given"
                    : masterKeyFile.toAbsolutePath() + " does not exist") + ", and CUSTOS_MASTER_KEY is not set");
        }
        return new SecretBox(readKey(masterKeyFile));
    }

    public String encrypt(String plaintext, String context) {
        if (plaintext == null) {
            return null;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + ct.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(ct, 0, out, nonce.length, ct.length);
            return VERSION + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot encrypt a secret", e);
        }
    }

    /**
     * A key for another purpose (signing download links, …) derived from the master key, so that rotating the
     * master key rotates it too and no second secret has to be kept. Different purposes get unrelated keys.
     */
    public byte[] derivedKey(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(("custos-derived-key:" + purpose).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot derive a key", e);
        }
    }

    public String decrypt(String ciphertext, String context) {
        if (ciphertext == null) {
            return null;
        }
        if (!ciphertext.startsWith(VERSION)) {
            throw new IllegalStateException("Unknown secret format in the catalog (" + context + ")");
        }
        try {
            byte[] in = Base64.getDecoder().decode(ciphertext.substring(VERSION.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] pt = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            return new String(pt, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "Cannot decrypt a secret (" + context + "): is this the master key the catalog was written with?", e);
        }
    }

    private static byte[] loadKey(CustosProperties properties) {
        if (properties.masterKey() != null && !properties.masterKey().isBlank()) {
            return decodeKey(properties.masterKey().trim(), "CUSTOS_MASTER_KEY");
        }
        Path file = properties.masterKeyFile();
        try {
            if (Files.exists(file)) {
                return readKey(file);
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            if (!KeyFiles.createOnce(file, Base64.getEncoder().encodeToString(key) + "\n")) {
                return readKey(file); // another process made it first: its key is the one
            }
            log.info("Generated a new master key at {} (mode 0600); back it up: without it no stored secret can be read",
                    file.toAbsolutePath());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the master key file " + file, e);
        }
    }

    private static byte[] readKey(Path file) {
        try {
            return decodeKey(Files.readString(file).trim(), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the master key file " + file, e);
        }
    }

    private static byte[] decodeKey(String base64, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The master key in " + source + " is not valid base64");
        }
        if (key.length != 32) {
            throw new IllegalStateException("The master key in " + source + " must be 32 bytes (base64 of 32 random bytes)");
        }
        return key;
    }
}

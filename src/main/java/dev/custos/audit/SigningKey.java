package dev.custos.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.custos.catalog.KeyFiles;

/**
 * The Ed25519 key that signs audit checkpoints (the JDK's own provider; no library). It lives in the data directory,
 * not in the catalog, so that someone who can write the catalog cannot re-sign a rewritten chain. The file holds the
 * private key (PKCS#8) and the public key (X.509) as PEM, mode 0600; the public key is also written beside it
 * ({@code .pub}) and served at {@code /api/audit/public-key} for offline verification.
 */
final class SigningKey {

    private static final Logger log = LoggerFactory.getLogger(SigningKey.class);
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private final PrivateKey privateKey;
    private final PublicKeys.Key publicKey;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = PublicKeys.Key.of(publicKey);
    }

    /** The key in {@code file}, generated there first if the file does not exist. */
    static SigningKey loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the audit signing key " + file, e);
        }
    }

    PublicKeys.Key publicKey() {
        return publicKey;
    }

    String sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign an audit checkpoint", e);
        }
    }

    private static void create(Path file) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot make Ed25519 keys", e);
        }
        if (!KeyFiles.createOnce(file, pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                + pem("PUBLIC KEY", pair.getPublic().getEncoded()))) {
            return; // another process made it first: its key is the one
        }
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        log.info("Generated the audit signing key at {} (mode 0600); back it up with the catalog: checkpoints signed "
                + "with it can only be checked against its public key", file);
    }

    private static SigningKey read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        byte[] privateDer = null;
        byte[] publicDer = null;
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2).trim());
            if (m.group(1).equals("PRIVATE KEY")) {
                privateDer = der;
            } else if (m.group(1).equals("PUBLIC KEY")) {
                publicDer = der;
            }
        }
        if (privateDer == null || publicDer == null) {
            throw new IllegalStateException("The audit signing key " + file
                    + " must hold a PRIVATE KEY and a PUBLIC KEY in PEM; move it away to have a new one generated");
        }
        try {
            KeyFactory keys = KeyFactory.getInstance("Ed25519");
            return new SigningKey(keys.generatePrivate(new PKCS8EncodedKeySpec(privateDer)),
                    keys.generatePublic(new X509EncodedKeySpec(publicDer)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The audit signing key " + file + " is not an Ed25519 key pair", e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static String keyId(byte[] publicDer) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicDer)).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

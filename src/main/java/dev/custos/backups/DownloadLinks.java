package dev.custos.backups;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.stereotype.Component;

import dev.custos.catalog.SecretBox;

/**
 * Download links that Custos signs and serves itself: {@code blob_name} and an expiry (epoch seconds) under an
 * HMAC-SHA256 keyed by a key derived from the master key. Whoever holds the link can download that one object
 * until it expires; changing any part of it invalidates the signature.
 */
@Component
class DownloadLinks {

    static final int DEFAULT_EXPIRY_HOURS = 24;
    static final int MAX_EXPIRY_HOURS = 168;

    private final byte[] key;
    private final Clock clock;

    DownloadLinks(SecretBox secrets, Clock clock) {
        this.key = secrets.derivedKey("download-links");
        this.clock = clock;
    }

    record Signed(String blobName, long expires, String signature) {
    }

    Signed sign(String blobName, int expiryHours) {
        long expires = clock.instant().getEpochSecond() + expiryHours * 3600L;
        return new Signed(blobName, expires, signature(blobName, expires));
    }

    /** Why a link is refused, or null when it is valid now. */
    String refusal(String blobName, long expires, String signature) {
        if (signature == null || !MessageDigest.isEqual(signature(blobName, expires).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            return "Download link is invalid: its signature does not match";
        }
        if (clock.instant().getEpochSecond() > expires) {
            return "Download link has expired";
        }
        return null;
    }

    private String signature(String blobName, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            // A NUL cannot occur in a valid blob name, so no two (name, expiry) pairs sign the same bytes.
            mac.update(blobName.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(Long.toString(expires).getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign a download link", e);
        }
    }
}

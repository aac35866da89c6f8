package dev.custos.backups;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.SecretBox;

/** Signed download links: valid until they expire, for the one object they name, under the master key they came from. */
class DownloadLinksTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path dir;

    private DownloadLinks links(String masterKey, Instant now) {
        CustosProperties properties = new CustosProperties(dir, new CustosProperties.Catalog("jdbc:sqlite:x", null, null),
                masterKey, dir.resolve("master.key"),
                new CustosProperties.Storage(new CustosProperties.Storage.Local(dir)), Duration.ofSeconds(10));
        return new DownloadLinks(new SecretBox(properties), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static String key(int fill) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) fill);
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void aLinkIsValidUntilItExpiresAndNotASecondLonger() {
        DownloadLinks.Signed signed = links(key(1), NOW).sign("postgresql/db-1/x.dump", 24);
        assertThat(signed.expires()).isEqualTo(NOW.plus(Duration.ofHours(24)).getEpochSecond());

        Instant last = NOW.plus(Duration.ofHours(24));
        assertThat(links(key(1), last).refusal(signed.blobName(), signed.expires(), signed.signature())).isNull();
        assertThat(links(key(1), last.plusSeconds(1)).refusal(signed.blobName(), signed.expires(), signed.signature()))
                .isEqualTo("Download link has expired");
    }

    @Test
    void anyChangeToTheLinkBreaksItsSignature() {
        DownloadLinks links = links(key(1), NOW);
        DownloadLinks.Signed signed = links.sign("postgresql/db-1/x.dump", 1);

        assertThat(links.refusal("postgresql/db-1/y.dump", signed.expires(), signed.signature())).contains("signature");
        assertThat(links.refusal(signed.blobName(), signed.expires() + 3600, signed.signature())).contains("signature");
        String sig = signed.signature();
        String flipped = (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1);
        assertThat(links.refusal(signed.blobName(), signed.expires(), flipped)).contains("signature");
        assertThat(links.refusal(signed.blobName(), signed.expires(), "")).contains("signature");
        assertThat(links.refusal(signed.blobName(), signed.expires(), null)).contains("signature");
    }

    @Test
    void anotherMasterKeyDoesNotAcceptTheLink() {
        DownloadLinks.Signed signed = links(key(1), NOW).sign("postgresql/db-1/x.dump", 1);

        assertThat(links(key(2), NOW).refusal(signed.blobName(), signed.expires(), signed.signature())).contains("signature");
    }
}

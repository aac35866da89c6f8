package dev.custos.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the audit trail is sealed and classified ({@code custos.audit.*}).
 *
 * @param checkpointEvery    a signed checkpoint of the chain head at least every this many events
 * @param checkpointInterval and at least this often while events are written (0 for never by time)
 * @param signingKeyFile     the Ed25519 private key that signs checkpoints; generated on first start
 * @param compliance         which actions are flagged relevant to GDPR, SOX and HIPAA
 * @param requestLogRetention how long the request log keeps each request
 * @param operationEventRetention how long events of what Custos did by itself keep their content before they are
 *                           archived (0 for for ever)
 * @param userActionRetention how long events of what users did keep theirs (0, the default, for for ever)
 * @param archiveSegmentSize at most this many events per archive segment
 * @param archiveInterval    how often expired events are archived (0 for only when asked)
 */
@ConfigurationProperties("custos.audit")
public record AuditProperties(int checkpointEvery, Duration checkpointInterval, Path signingKeyFile,
        Compliance compliance, Duration requestLogRetention, Duration operationEventRetention,
        Duration userActionRetention, int archiveSegmentSize, Duration archiveInterval) {

    public AuditProperties {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("custos.audit.checkpoint-every must be 1 or more (got " + checkpointEvery + ")");
        }
        if (compliance == null) {
            compliance = new Compliance(List.of(), List.of(), List.of());
        }
        if (requestLogRetention == null) {
            requestLogRetention = Duration.ofDays(90);
        }
        if (operationEventRetention == null) {
            operationEventRetention = Duration.ofDays(365);
        }
        if (userActionRetention == null) {
            userActionRetention = Duration.ZERO;
        }
        if (archiveSegmentSize < 1) {
            archiveSegmentSize = 10_000;
        }
        if (archiveInterval == null) {
            archiveInterval = Duration.ofDays(1);
        }
    }

    /** The shipped defaults (checkpoints every 1000 events or minute, no compliance rules) with the given key file. */
    public static AuditProperties defaults(Path signingKeyFile) {
        return new AuditProperties(1000, Duration.ofSeconds(60), signingKeyFile, null, null, null, null, 0, null);
    }

    /**
     * Action patterns ({@code *} matches any text, e.g. {@code restore_*}) that set each flag. An admin adapts them to
     * what the backed-up databases hold: an event matching a list is flagged when it is written.
     */
    public record Compliance(List<String> gdpr, List<String> sox, List<String> hipaa) {

        public Compliance {
            gdpr = gdpr == null ? List.of() : List.copyOf(gdpr);
            sox = sox == null ? List.of() : List.copyOf(sox);
            hipaa = hipaa == null ? List.of() : List.copyOf(hipaa);
        }
    }
}

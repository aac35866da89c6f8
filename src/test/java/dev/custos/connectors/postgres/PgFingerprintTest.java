package dev.custos.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** A sequence's state in a fingerprint: the value its next nextval() returns. */
class PgFingerprintTest {

    @Test
    void theNextValueOfASequenceFollowsItsRules() {
        assertThat(PgFingerprint.nextValue(big(1000), false, big(1), big(1), big(9999), false)).isEqualTo("1000");
        assertThat(PgFingerprint.nextValue(big(1006), true, big(1), big(1), big(9999), false)).isEqualTo("1007");
        assertThat(PgFingerprint.nextValue(big(10), true, big(-2), big(0), big(10), false)).isEqualTo("8");
        assertThat(PgFingerprint.nextValue(big(9999), true, big(1), big(1), big(9999), true)).isEqualTo("1");
        assertThat(PgFingerprint.nextValue(big(0), true, big(-2), big(0), big(10), true)).isEqualTo("10");
        assertThat(PgFingerprint.nextValue(big(9999), true, big(1), big(1), big(9999), false))
                .isEqualTo("exhausted at 9999");
    }

    private static BigInteger big(long value) {
        return BigInteger.valueOf(value);
    }
}

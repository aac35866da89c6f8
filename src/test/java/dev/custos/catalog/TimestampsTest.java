package dev.custos.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class TimestampsTest {

    @Test
    void theSpecsShapeWithMillisecondsEvenWhenZero() {
        assertThat(Timestamps.format(Instant.parse("2024-01-15T12:00:00Z"))).isEqualTo("2024-01-15T12:00:00.000Z");
        assertThat(Timestamps.format(Instant.parse("0999-03-04T05:06:07.089Z"))).isEqualTo("0999-03-04T05:06:07.089Z");
    }
}

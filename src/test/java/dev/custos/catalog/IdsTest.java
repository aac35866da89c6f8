package dev.custos.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsCarryThePrefixAnd120RandomBits() {
        String id = Ids.newId("engine");

        assertThat(id).matches("engine-[a-z2-7]{24}");
    }

    @Test
    void idsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            seen.add(Ids.newId("db"));
        }

        assertThat(seen).hasSize(100_000);
    }
}

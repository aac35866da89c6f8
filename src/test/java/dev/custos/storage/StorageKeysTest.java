package dev.custos.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StorageKeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "postgresql/db-abc/20240115_120000.dump.zst", "x.manifest.json", "a/.hidden",
            "a/b..c", "...", "日本/ü"})
    void validKeysPass(String key) {
        assertThat(StorageKeys.validate(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/etc/passwd       | must be relative",
            "a/../b            | . or .. segments",
            "./a               | . or .. segments",
            "a//b              | empty segments",
            "a/                | empty segments",
            "a\\b              | backslash",
            "a/.tmp-1          | reserved for writes in progress"})
    void eachProblemIsNamed(String key, String message) {
        assertThatThrownBy(() -> StorageKeys.validate(key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void emptyNullLongAndControlCharactersAreNamed() {
        assertThatThrownBy(() -> StorageKeys.validate(null)).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> StorageKeys.validate("")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> StorageKeys.validate("a".repeat(1025))).hasMessageContaining("at most 1024");
        assertThat(StorageKeys.validate("a/".repeat(511) + "bc")).hasSize(1024);
        assertThatThrownBy(() -> StorageKeys.validate("a\u0007b")).hasMessageContaining("control characters");
        assertThatThrownBy(() -> StorageKeys.validate("a\u0085b")).hasMessageContaining("control characters");
        assertThatThrownBy(() -> StorageKeys.validate("é".repeat(128))).hasMessageContaining("longer than 255 bytes");
    }

    @Test
    void aMessageNeverCarriesAControlCharacterOrAHugeKey() {
        assertThatThrownBy(() -> StorageKeys.validate("evil\nlog line/..")).message().doesNotContain("\n");
        assertThatThrownBy(() -> StorageKeys.validate("/" + "x".repeat(1000))).message().hasSizeLessThan(200);
    }

    @Test
    void prefixesMayEndWithASlashOrMidName() {
        assertThat(StorageKeys.validatePrefix("")).isEmpty();
        assertThat(StorageKeys.validatePrefix("postgresql/")).isEqualTo("postgresql/");
        assertThat(StorageKeys.validatePrefix("postgresql/db-1/2024")).isEqualTo("postgresql/db-1/2024");
        assertThatThrownBy(() -> StorageKeys.validatePrefix("../")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageKeys.validatePrefix("a//")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageKeys.validatePrefix(null)).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionTargetTest {

    private static ConnectionTarget withPassword(String password) {
        return new ConnectionTarget(DatabaseKind.MYSQL, "db", 3306, "app", "u", password);
    }

    @Test
    void aPasswordEchoedByADriverIsRedacted() {
        assertThat(withPassword("hunter2").redact("login failed for secret hunter2 here"))
                .isEqualTo("login failed for secret *** here");
    }

    @Test
    void aShortPasswordInsideOrdinaryWordsIsLeftAloneRatherThanRevealed() {
        String message = "Access denied for user 'x'@'127.0.0.1' (using password: YES)";

        assertThat(withPassword("p").redact(message)).isEqualTo(message);
    }

    @Test
    void passwordsWithRegexCharactersAreMatchedLiterally() {
        assertThat(withPassword("a.b*c$1").redact("bad 'a.b*c$1' and axbbc$1"))
                .isEqualTo("bad '***' and axbbc$1");
    }
}

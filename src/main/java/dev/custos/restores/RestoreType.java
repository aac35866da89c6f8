package dev.custos.restores;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a restore job does. */
enum RestoreType {
    /** a backup back into the database it was taken from */
    SAME_DATABASE("same_database"),
    /** a backup into another configured database of the same kind */
    OTHER_DATABASE("other_database"),
    /** a backup into a database name on an engine (created when missing), or a new SQLite file */
    NEW_DATABASE("new_database"),
    /** an uploaded dump made outside Custos */
    FILE("file"),
    /** a backup into a scratch database, compared with the source's fingerprint, then dropped */
    TEST_RESTORE("test_restore"),
    /** a backup's object re-read: size, SHA-256 and decryption */
    VERIFY("verify");

    private final String value;

    RestoreType(String value) {
        this.value = value;
    }

    String value() {
        return value;
    }

    /** Types that write into a user's database. */
    boolean writesTarget() {
        return this != TEST_RESTORE && this != VERIFY;
    }

    static Optional<RestoreType> parse(String value) {
        return Arrays.stream(values()).filter(t -> t.value.equals(value)).findFirst();
    }

    static List<String> wireNames() {
        return Arrays.stream(values()).map(RestoreType::value).toList();
    }
}

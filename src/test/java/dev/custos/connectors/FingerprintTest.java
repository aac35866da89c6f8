package dev.custos.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The sentences a test restore shows when the restored database is not what was backed up. */
class FingerprintTest {

    private static final Instant BACKED_UP = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant RESTORED = Instant.parse("2025-01-02T00:00:00Z");

    private final Fingerprint source = fingerprint("postgresql",
            Map.of("public.account", new Fingerprint.Table(3, "aa"), "public.audit", new Fingerprint.Table(0, "00")),
            Map.of("public.account_id_seq", "4"),
            List.of("view public.rich sql 1234", "function public.f() sql 5678"), BACKED_UP);

    @Test
    void theSameContentTakenAtAnotherTimeHasNoDifferences() {
        Fingerprint restored = fingerprint("postgresql", new TreeMap<>(source.tables()), source.sequences(),
                List.of("function public.f() sql 5678", "view public.rich sql 1234"), RESTORED);

        assertThat(source.differences(restored)).isEmpty();
    }

    @Test
    void eachKindOfDifferenceIsWordedForAUser() {
        Fingerprint restored = fingerprint("mysql",
                Map.of("public.account", new Fingerprint.Table(3, "bb"), "public.extra", new Fingerprint.Table(1, "11")),
                Map.of("public.account_id_seq", "1", "public.extra_seq", "9"),
                List.of("view public.rich sql 9999", "function public.f() sql 5678"), RESTORED);

        assertThat(source.differences(restored)).containsExactly(
                "kind is mysql, expected postgresql",
                "table public.account has the same 3 rows but different content",
                "table public.audit is missing",
                "table public.extra is not in the source",
                "sequence public.account_id_seq is at 1, expected 4",
                "sequence public.extra_seq is not in the source",
                "missing: view public.rich sql 1234",
                "unexpected: view public.rich sql 9999");
    }

    @Test
    void aDifferentRowCountIsSaidBeforeContent() {
        Fingerprint restored = fingerprint("postgresql",
                Map.of("public.account", new Fingerprint.Table(2, "bb"), "public.audit", new Fingerprint.Table(0, "00")),
                source.sequences(), source.objects(), RESTORED);

        assertThat(source.differences(restored)).containsExactly("table public.account has 2 rows, expected 3");
    }

    @Test
    void aMissingSequenceIsSaid() {
        Fingerprint restored = fingerprint("postgresql", source.tables(), Map.of(), source.objects(), RESTORED);

        assertThat(source.differences(restored)).containsExactly("sequence public.account_id_seq is missing");
    }

    @Test
    void exactlyTheLimitIsListedWhole() {
        Fingerprint restored = withExtraObjects(Fingerprint.MAX_DIFFERENCES);

        assertThat(empty().differences(restored)).hasSize(Fingerprint.MAX_DIFFERENCES)
                .allMatch(d -> d.startsWith("unexpected: "));
    }

    @Test
    void beyondTheLimitTheRestAreCounted() {
        List<String> differences = empty().differences(withExtraObjects(Fingerprint.MAX_DIFFERENCES + 7));

        assertThat(differences).hasSize(Fingerprint.MAX_DIFFERENCES + 1);
        assertThat(differences.subList(0, Fingerprint.MAX_DIFFERENCES)).allMatch(d -> d.startsWith("unexpected: "));
        assertThat(differences.get(Fingerprint.MAX_DIFFERENCES)).isEqualTo("… and 7 more differences");
    }

    @Test
    void oneBeyondTheLimitIsOneMoreDifference() {
        List<String> differences = empty().differences(withExtraObjects(Fingerprint.MAX_DIFFERENCES + 1));

        assertThat(differences.get(Fingerprint.MAX_DIFFERENCES)).isEqualTo("… and 1 more difference");
    }

    @Test
    void itsMapsAndListAreItsOwnSortedAndWithoutDuplicates() {
        Map<String, Fingerprint.Table> tables = new HashMap<>(Map.of("b", new Fingerprint.Table(1, "1")));
        List<String> objects = new ArrayList<>(List.of("z", "a", "z"));
        Fingerprint fingerprint = fingerprint("sqlite", tables, Map.of(), objects, BACKED_UP);

        tables.put("a", new Fingerprint.Table(2, "2"));
        objects.add("m");

        assertThat(fingerprint.tables()).containsOnlyKeys("b");
        assertThat(fingerprint.objects()).containsExactly("a", "z");
    }

    private static Fingerprint empty() {
        return fingerprint("sqlite", Map.of(), Map.of(), List.of(), BACKED_UP);
    }

    private static Fingerprint withExtraObjects(int count) {
        List<String> objects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            objects.add("trigger t" + String.format("%03d", i));
        }
        return fingerprint("sqlite", Map.of(), Map.of(), objects, RESTORED);
    }

    private static Fingerprint fingerprint(String kind, Map<String, Fingerprint.Table> tables,
            Map<String, String> sequences, List<String> objects, Instant takenAt) {
        return new Fingerprint(kind, new TreeMap<>(tables), new TreeMap<>(sequences), objects, takenAt);
    }
}

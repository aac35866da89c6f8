package dev.custos.connectors;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a database holds, condensed so that two databases can be compared without reading both at once: per table its
 * row count and a hash of its content that does not depend on row order, the value of every sequence, and the list
 * of every other object (views, routines, triggers, types, comments …) named so that a changed definition shows as
 * a different entry. Taken from the source at backup time and from a test restore's scratch database; equal
 * fingerprints are the proof that a backup restores to what was backed up.
 *
 * <p>Names are qualified the way each kind qualifies them ({@code schema.table} for PostgreSQL, the bare name for
 * MySQL and SQLite, whose fingerprint covers one database); since a restore may go to a database of another name, no
 * entry holds the database's own name.
 *
 * @param kind      the database kind it was taken from
 * @param tables    table name → rows and content hash
 * @param sequences sequence name → its state (next value a nextval or an insert would take, as text)
 * @param objects   every other object, one canonical line each, sorted
 * @param takenAt   when it was taken
 */
public record Fingerprint(
        String kind, SortedMap<String, Table> tables, SortedMap<String, String> sequences, List<String> objects,
        Instant takenAt) {

    /** Differences listed by {@link #differences} at most; the rest are counted. */
    public static final int MAX_DIFFERENCES = 20;

    public Fingerprint {
        Objects.requireNonNull(kind, "kind");
        tables = new TreeMap<>(tables);
        sequences = new TreeMap<>(sequences);
        objects = List.copyOf(new TreeSet<>(objects));
    }

    /** @param contentHash hex digest of the rows' content, independent of row order */
    public record Table(long rows, String contentHash) {
    }

    /**
     * What differs from {@code restored}, as sentences a user can act on, at most {@link #MAX_DIFFERENCES} of them
     * (then one that counts the rest); empty when the two are the same. {@code takenAt} does not count.
     */
    public List<String> differences(Fingerprint restored) {
        List<String> all = new ArrayList<>();
        if (!kind.equals(restored.kind)) {
            all.add("kind is " + restored.kind + ", expected " + kind);
        }
        compare("table", tables, restored.tables, (name, expected, actual) -> {
            if (expected.rows() != actual.rows()) {
                return "table " + name + " has " + actual.rows() + " rows, expected " + expected.rows();
            }
            if (!Objects.equals(expected.contentHash(), actual.contentHash())) {
                return "table " + name + " has the same " + actual.rows() + " rows but different content";
            }
            return null;
        }, all);
        compare("sequence", sequences, restored.sequences, (name, expected, actual) ->
                expected.equals(actual) ? null : "sequence " + name + " is at " + actual + ", expected " + expected, all);
        TreeSet<String> missing = new TreeSet<>(objects);
        missing.removeAll(restored.objects);
        TreeSet<String> extra = new TreeSet<>(restored.objects);
        extra.removeAll(objects);
        missing.forEach(o -> all.add("missing: " + o));
        extra.forEach(o -> all.add("unexpected: " + o));
        if (all.size() <= MAX_DIFFERENCES) {
            return List.copyOf(all);
        }
        List<String> shown = new ArrayList<>(all.subList(0, MAX_DIFFERENCES));
        int more = all.size() - MAX_DIFFERENCES;
        shown.add("… and " + more + (more == 1 ? " more difference" : " more differences"));
        return List.copyOf(shown);
    }

    private interface Difference<V> {
        String of(String name, V expected, V actual);
    }

    private static <V> void compare(String what, Map<String, V> expected, Map<String, V> actual, Difference<V> diff,
            List<String> out) {
        for (Map.Entry<String, V> e : expected.entrySet()) {
            V other = actual.get(e.getKey());
            if (other == null) {
                out.add(what + " " + e.getKey() + " is missing");
            } else {
                String d = diff.of(e.getKey(), e.getValue(), other);
                if (d != null) {
                    out.add(d);
                }
            }
        }
        for (String name : actual.keySet()) {
            if (!expected.containsKey(name)) {
                out.add(what + " " + name + " is not in the source");
            }
        }
    }
}

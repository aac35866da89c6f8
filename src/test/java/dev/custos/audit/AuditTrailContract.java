package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.storage.LocalStorageBackend;

/**
 * What the audit trail must guarantee on every catalog: a gap-free chain that verifies, each kind of tampering done
 * directly in the catalog detected and named by its first bad sequence number, events that commit and roll back
 * with their change, and exports that the offline verifier accepts whole and refuses when touched. Subclasses give a
 * freshly created, empty catalog.
 */
abstract class AuditTrailContract {

    static final Instant NOW = Instant.parse("2025-03-01T10:00:00.000Z");

    @TempDir
    Path dir;

    DataSource dataSource;
    JdbcClient jdbc;
    AuditLog log;
    AuditChain chain;
    AuditService service;
    AuditRepository repository;
    AuditExport export;
    TransactionTemplate tx;
    AuditProperties properties;
    DataSourceTransactionManager transactions;

    /** An empty catalog, not yet migrated. */
    abstract DataSource catalog() throws Exception;

    abstract String vendor();

    /** Makes every insert into audit_events fail, as a full disk or a broken catalog would. */
    abstract void failAuditInserts();

    @BeforeEach
    void freshCatalog() throws Exception {
        dataSource = catalog();
        migrate(null);
        build();
    }

    void migrate(String target) {
        var flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/" + vendor());
        if (target != null) {
            flyway.target(target);
        }
        flyway.load().migrate();
    }

    /** The audit pieces as the server wires them, with a checkpoint every 5 events and no timer. */
    void build() {
        jdbc = JdbcClient.create(dataSource);
        properties = new AuditProperties(5, Duration.ZERO, dir.resolve("audit-signing.key"),
                new AuditProperties.Compliance(List.of("restore_*"), List.of("policy_*"), List.of()), null,
                Duration.ofDays(365), Duration.ZERO, 4, Duration.ZERO);
        AuditCheckpoints checkpoints = new AuditCheckpoints(jdbc, properties);
        chain = new AuditChain(jdbc, vendor().equals("postgresql"), properties, checkpoints);
        transactions = new DataSourceTransactionManager(dataSource);
        log = new AuditLog(JsonMapper.builder().build(), Clock.fixed(NOW, ZoneOffset.UTC), chain, transactions);
        repository = new AuditRepository(jdbc, vendor().equals("postgresql"));
        service = new AuditService(repository, chain, checkpoints, log);
        export = new AuditExport(repository, chain, checkpoints);
        tx = new TransactionTemplate(transactions);
    }

    /** Writes {@code n} events about policy-1 … policy-n, each updating a name. */
    void write(int n) {
        for (int i = 1; i <= n; i++) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("updated_fields", List.of("name"));
            details.put("password", "hunter2");
            log.success(AuditEvent.of("policy_updated", "policy", "policy-" + i, "Policy " + i, details)
                    .withBefore(Map.of("name", "old " + i, "daily", Map.of("keep_count", 7)))
                    .withAfter(Map.of("name", "new " + i, "daily", Map.of("keep_count", 8))));
        }
    }

    long count(AuditQuery q) {
        return service.list(q, 10, 0, null, AuditService.Count.EXACT).total();
    }

    ChainVerifier.Result verify() {
        return service.verify(null, null);
    }

    @Test
    void eventsFormAGapFreeChainWithSignedCheckpoints() {
        write(12);

        ChainVerifier.Result result = verify();

        assertThat(result.valid()).as(result.problem()).isTrue();
        assertThat(result.checkedEvents()).isEqualTo(12);
        assertThat(result.firstSequence()).isEqualTo(1);
        assertThat(result.lastSequence()).isEqualTo(12);
        assertThat(result.checkpointsVerified()).isEqualTo(2);
        assertThat(result.lastCheckpointSequence()).isEqualTo(10);
        assertThat(jdbc.sql("SELECT sequence FROM audit_events ORDER BY sequence").query(Long.class).list())
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
    }

    @Test
    void anEventIsStoredClassifiedRedactedAndWithItsDiff() {
        write(1);

        AuditRecord e = repository.atSequence(1).orElseThrow();

        assertThat(e.action()).isEqualTo("policy_updated");
        assertThat(e.userId()).isEqualTo("system");
        assertThat(e.actorType()).isEqualTo("system");
        assertThat(e.category()).isEqualTo("configuration");
        assertThat(e.severity()).isEqualTo("info");
        assertThat(e.soxRelevant()).isTrue();
        assertThat(e.gdprRelevant()).isFalse();
        assertThat(e.occurredAt()).isEqualTo(NOW.toEpochMilli());
        assertThat(e.details()).isEqualTo(Map.of("updated_fields", List.of("name"), "password", "[redacted]"));
        assertThat(e.changes()).isEqualTo(Map.of(
                "name", Map.of("from", "old 1", "to", "new 1"),
                "daily.keep_count", Map.of("from", 7, "to", 8)));
        assertThat(jdbc.sql("SELECT * FROM audit_events").query().listOfRows().toString()).doesNotContain("hunter2");
    }

    @Test
    void anEditedEventIsNamed() {
        write(12);
        jdbc.sql("UPDATE audit_events SET resource_name = 'Someone else' WHERE sequence = 7").update();

        ChainVerifier.Result result = verify();

        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(7);
        assertThat(result.problem()).contains("event 7 does not match its hash");
    }

    @Test
    void verifyReadsPastItsBatchesAndNamesAnEditInALaterOne() {
        // Verification reads 5000 events at a time, the next batch while it checks this one.
        tx.executeWithoutResult(s -> write(10_003));
        assertThat(verify().valid()).isTrue();
        assertThat(verify().checkedEvents()).isEqualTo(10_003);

        jdbc.sql("UPDATE audit_events SET resource_name = 'Someone else' WHERE sequence = 10002").update();
        ChainVerifier.Result result = verify();

        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(10_002);
        assertThat(result.checkedEvents()).isEqualTo(10_001);
    }

    @Test
    void anEditedJsonValueIsNamedEvenWhenItIsNoLongerJson() {
        write(3);
        jdbc.sql("UPDATE audit_events SET details = '{not json' WHERE sequence = 2").update();

        ChainVerifier.Result result = verify();

        assertThat(result.firstBadSequence()).isEqualTo(2);
    }

    @Test
    void aDeletedEventIsNamed() {
        write(12);
        jdbc.sql("DELETE FROM audit_events WHERE sequence = 7").update();

        ChainVerifier.Result result = verify();

        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(7);
        assertThat(result.problem()).contains("missing");
    }

    @Test
    void reorderedEventsAreNamed() {
        write(12);
        jdbc.sql("UPDATE audit_events SET sequence = -7 WHERE sequence = 7").update();
        jdbc.sql("UPDATE audit_events SET sequence = 7 WHERE sequence = 8").update();
        jdbc.sql("UPDATE audit_events SET sequence = 8 WHERE sequence = -7").update();

        ChainVerifier.Result result = verify();

        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(7);
    }

    @Test
    void anEventInsertedInTheMiddleIsNamed() {
        write(12);
        for (long s = 12; s >= 8; s--) {
            jdbc.sql("UPDATE audit_events SET sequence = ? WHERE sequence = ?").params(s + 1, s).update();
        }
        copyEvent(3, 8, "audit-forged-middle");

        ChainVerifier.Result result = verify();

        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(8);
    }

    @Test
    void anEventAddedAtTheEndIsNamed() {
        write(12);
        copyEvent(12, 13, "audit-forged-tail");

        ChainVerifier.Result result = verify();

        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(13);
    }

    @Test
    void aRewrittenChainWithRecomputedHashesIsCaughtByTheSignedCheckpoint() {
        write(12);
        jdbc.sql("UPDATE audit_events SET resource_name = 'Rewritten' WHERE sequence = 3").update();
        String previous = Canonical.GENESIS;
        for (long s = 1; s <= 12; s++) {
            AuditRecord r = repository.atSequence(s).orElseThrow();
            String hash = r.expectedHash(previous);
            jdbc.sql("UPDATE audit_events SET hash = ? WHERE sequence = ?").params(hash, s).update();
            previous = hash;
        }
        jdbc.sql("UPDATE audit_chain SET last_hash = ?").param(previous).update();

        ChainVerifier.Result result = verify();

        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(1);
        assertThat(result.problem()).contains("signed checkpoint at event 5");
    }

    @Test
    void aCutOffTailIsNamed() {
        write(12);
        jdbc.sql("DELETE FROM audit_events WHERE sequence > 10").update();

        ChainVerifier.Result result = verify();

        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(11);
    }

    @Test
    void aRangeIsCheckedFromTheEventBeforeIt() {
        write(12);
        jdbc.sql("UPDATE audit_events SET resource_name = 'x' WHERE sequence = 2").update();

        assertThat(service.verify(4L, 9L).valid()).isTrue();
        assertThat(service.verify(1L, 9L).firstBadSequence()).isEqualTo(2);
    }

    @Test
    void aChangeThatRollsBackLeavesNoEventAndNoGap() {
        write(2);

        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            log.success(AuditEvent.of("policy_deleted", "policy", "policy-x", "X", Map.of()));
            throw new IllegalStateException("the change failed after its event was logged");
        })).isInstanceOf(IllegalStateException.class);
        write(1);

        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'policy_deleted'").query(Long.class).single())
                .isZero();
        assertThat(jdbc.sql("SELECT MAX(sequence) FROM audit_events").query(Long.class).single()).isEqualTo(3);
        assertThat(verify().valid()).isTrue();
    }

    @Test
    void aChangeWhoseEventCannotBeWrittenDoesNotHappen() {
        jdbc.sql("CREATE TABLE things (id TEXT PRIMARY KEY)").update();
        failAuditInserts();

        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            jdbc.sql("INSERT INTO things (id) VALUES ('thing-1')").update();
            log.success(AuditEvent.of("thing_created", "thing", "thing-1", "Thing", Map.of()));
        })).isInstanceOf(RuntimeException.class);

        assertThat(jdbc.sql("SELECT COUNT(*) FROM things").query(Long.class).single()).isZero();
        assertThat(chain.head().lastSequence()).isZero();
    }

    @Test
    void eventsInOneTransactionCommitTogetherInOrder() {
        tx.executeWithoutResult(s -> {
            log.success(AuditEvent.of("engine_deleted", "engine", "engine-1", "A", Map.of()));
            log.success(AuditEvent.of("database_deleted", "database", "db-1", "B", Map.of("engine_id", "engine-1")));
        });

        List<AuditRecord> events = service.list(AuditQuery.all(), 10, 0, null, AuditService.Count.EXACT).events();

        assertThat(events).extracting(AuditRecord::action).containsExactly("database_deleted", "engine_deleted");
        assertThat(events).extracting(AuditRecord::engineId).containsExactly("engine-1", "engine-1");
    }

    @Test
    void aCappedCountSaysWhenMoreMatchThanItCounted() {
        long over = AuditService.COUNT_LIMIT + 1;
        tx.executeWithoutResult(s -> {
            for (long i = 1; i <= over; i++) {
                log.success(AuditEvent.of("policy_updated", "policy", "policy-" + i, "Policy " + i, Map.of()));
            }
            log.success(AuditEvent.of("policy_deleted", "policy", "policy-1", "Policy 1", Map.of()));
        });
        AuditQuery updates = AuditQuery.all().withAction("policy_updated");

        AuditService.Page capped = service.list(updates, 10, 0, null, AuditService.Count.CAPPED);
        AuditService.Page exact = service.list(updates, 10, 0, null, AuditService.Count.EXACT);
        AuditService.Page few = service.list(AuditQuery.all().withAction("policy_deleted"), 10, 0, null,
                AuditService.Count.CAPPED);

        assertThat(capped.total()).isEqualTo(AuditService.COUNT_LIMIT);
        assertThat(capped.totalExact()).isFalse();
        assertThat(capped.events()).hasSize(10);
        assertThat(capped.hasMore()).isTrue();
        assertThat(exact.total()).isEqualTo(over);
        assertThat(exact.totalExact()).isTrue();
        assertThat(few.total()).isEqualTo(1);
        assertThat(few.totalExact()).isTrue();
    }

    @Test
    void searchAndResourceNameFindEveryEventContainingTheTextAndNoOther() {
        List<String> names = List.of("Ledger-ETL-qa", "ledger_etl", "LEDGER", "100% sure", "say \"hi\" now",
                "Ünïcode Straße", "ab", "xledgerx", "a:b*c");
        tx.executeWithoutResult(s -> {
            for (int i = 0; i < names.size(); i++) {
                log.success(AuditEvent.of("database_updated", "database", "db-" + i, names.get(i), Map.of()));
            }
        });
        // What an archived event keeps (no text) and a deleted one (nothing) must not be found any more.
        jdbc.sql("UPDATE audit_events SET resource_name = NULL, name_search = NULL, search_text = NULL"
                + " WHERE resource_id = 'db-7'").update();
        jdbc.sql("DELETE FROM audit_events WHERE resource_id = 'db-8'").update();
        List<AuditRecord> all = service.list(AuditQuery.all(), 100, 0, null, AuditService.Count.EXACT).events();

        for (String needle : List.of("ledger", "LEDGER-etl", "_etl", "100%", "% s", "\"hi\"", "straße", "ÜNÏ", "ab",
                "e", "db-3", "er-", "no such thing", "xledgerx", "a:b*", "*c")) {
            String n = needle.toLowerCase(java.util.Locale.ROOT);
            List<String> bySearch = all.stream().filter(e -> !e.resourceId().equals("db-7"))
                    .filter(e -> java.util.stream.Stream.of(e.resourceName(),
                            e.resourceId(), e.userId(), e.userEmail())
                    .anyMatch(v -> v != null && v.toLowerCase(java.util.Locale.ROOT).contains(n)))
                    .map(AuditRecord::id).toList();
            List<String> byName = all.stream().filter(e -> e.resourceName() != null
                    && e.resourceName().toLowerCase(java.util.Locale.ROOT).contains(n)).map(AuditRecord::id).toList();
            AuditQuery search = new AuditQuery(null, null, null, null, needle, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null);
            AuditQuery name = new AuditQuery(null, null, null, null, null, null, null, needle, null, null, null, null,
                    null, null, null, null, null, null, null);

            assertThat(service.list(search, 100, 0, null, AuditService.Count.EXACT).events())
                    .as("search=%s", needle).extracting(AuditRecord::id).containsExactlyElementsOf(bySearch);
            assertThat(service.list(name, 100, 0, null, AuditService.Count.EXACT).events())
                    .as("resource_name=%s", needle).extracting(AuditRecord::id).containsExactlyElementsOf(byName);
            assertThat(service.list(search, 100, 0, null, AuditService.Count.CAPPED).total())
                    .as("count of search=%s", needle).isEqualTo(bySearch.size());
        }
        assertThat(service.list(AuditQuery.all(), 100, 0, null, AuditService.Count.EXACT).events()).hasSize(8);
    }

    @Test
    void searchPagesByCursorNewestFirst() {
        tx.executeWithoutResult(s -> {
            for (int i = 1; i <= 7; i++) {
                log.success(AuditEvent.of("database_updated", "database", "db-" + i, "orders-" + i, Map.of()));
                log.success(AuditEvent.of("database_updated", "database", "other-" + i, "billing-" + i, Map.of()));
            }
        });
        AuditQuery orders = new AuditQuery(null, null, null, null, "orders", null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
        List<String> seen = new ArrayList<>();
        Long cursor = null;
        do {
            AuditService.Page page = service.list(orders, 3, 0, cursor, AuditService.Count.CAPPED);
            assertThat(page.total()).isEqualTo(7);
            page.events().forEach(e -> seen.add(e.resourceName()));
            cursor = page.nextCursor();
        } while (cursor != null);

        assertThat(seen).containsExactly("orders-7", "orders-6", "orders-5", "orders-4", "orders-3", "orders-2",
                "orders-1");
        assertThat(service.list(orders, 2, 3, null, AuditService.Count.NONE).events())
                .extracting(AuditRecord::resourceName).containsExactly("orders-4", "orders-3");
    }

    @Test
    void aBoundedCountCountsNewestFirstInWindowsAndSaysWhenItStoppedEarly() {
        tx.executeWithoutResult(s -> {
            for (int i = 1; i <= 30; i++) {
                log.success(AuditEvent.of(i % 3 == 0 ? "policy_deleted" : "policy_updated", "policy", "policy-" + i,
                        "Policy " + i, Map.of()));
            }
        });
        AuditQuery deleted = AuditQuery.all().withAction("policy_deleted");

        // Windows of 2, 8, 32 sequence numbers from the newest: with time to spare the count reaches the first event.
        assertThat(repository.count(deleted, 1000, Long.MAX_VALUE, 2)).isEqualTo(new AuditRepository.Tally(10, true));
        // Without time, it stops after the first window (events 29 and 30: one deletion) and says so.
        assertThat(repository.count(deleted, 1000, 0, 2)).isEqualTo(new AuditRepository.Tally(1, false));
        // Past the cap it stops too.
        assertThat(repository.count(deleted, 4, Long.MAX_VALUE, 2)).isEqualTo(new AuditRepository.Tally(4, false));
        // Time alone is counted from the sequence, exactly.
        assertThat(repository.count(AuditQuery.all(), 4, 0, 2)).isEqualTo(new AuditRepository.Tally(30, true));
        assertThat(repository.count(deleted)).isEqualTo(10);
    }

    @Test
    void anOffsetSkipsThatManyOfTheNewestEventsWithOrWithoutATimeWindow() {
        write(23);
        List<Long> page = service.list(AuditQuery.all(), 5, 5, null, AuditService.Count.EXACT).events().stream()
                .map(AuditRecord::sequence).toList();
        List<Long> windowed = service.list(AuditQuery.all().withTime(NOW.toEpochMilli(), NOW.toEpochMilli() + 1), 5, 20,
                null, AuditService.Count.EXACT).events().stream().map(AuditRecord::sequence).toList();
        List<Long> filtered = service.list(AuditQuery.all().withAction("policy_updated"), 5, 20, null,
                AuditService.Count.EXACT).events().stream().map(AuditRecord::sequence).toList();

        assertThat(page).containsExactly(18L, 17L, 16L, 15L, 14L);
        assertThat(windowed).containsExactly(3L, 2L, 1L);
        assertThat(filtered).containsExactly(3L, 2L, 1L);
        assertThat(service.list(AuditQuery.all(), 5, 23, null, AuditService.Count.EXACT).events()).isEmpty();
        // An offset past the end proves nothing about how many match: the count stays exact.
        AuditService.Page past = service.list(AuditQuery.all().withAction("policy_updated"), 5, 500, null,
                AuditService.Count.CAPPED);
        assertThat(past.events()).isEmpty();
        assertThat(past.total()).isEqualTo(23);
        assertThat(past.totalExact()).isTrue();
    }

    @Test
    void pagesByCursorVisitEveryEventOnceNewestFirst() {
        write(23);
        List<Long> seen = new ArrayList<>();
        Long cursor = null;
        do {
            AuditService.Page page = service.list(AuditQuery.all(), 5, 0, cursor, AuditService.Count.EXACT);
            assertThat(page.total()).isEqualTo(23);
            page.events().forEach(e -> seen.add(e.sequence()));
            cursor = page.nextCursor();
        } while (cursor != null);

        List<Long> expected = new ArrayList<>();
        for (long s = 23; s >= 1; s--) {
            expected.add(s);
        }
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void filtersAndCountsUseTheirColumns() {
        write(4);
        log.failure(AuditEvent.of("restore_failed", "restore", "restore-1", "shop",
                Map.of("target_engine_id", "engine-9", "database_type", "postgresql")), "pg_restore: error");

        AuditQuery failedRestores = new AuditQuery(null, "restore", null, "failed", null, "postgresql", "engine-9", "sho",
                null, "restore", "critical", null, true, null, null, null, null, null, null);
        AuditService.Page page = service.list(failedRestores, 10, 0, null, AuditService.Count.EXACT);

        assertThat(page.total()).isEqualTo(1);
        assertThat(page.events()).singleElement().satisfies(e -> {
            assertThat(e.errorMessage()).isEqualTo("pg_restore: error");
            assertThat(e.gdprRelevant()).isTrue();
        });
        assertThat(count(AuditQuery.all().withAction("policy_updated"))).isEqualTo(4);
        assertThat(count(AuditQuery.all().withTime(NOW.toEpochMilli() + 1, null))).isZero();
        assertThat(repository.distinct("action")).containsExactly("policy_updated", "restore_failed");
    }

    @Test
    void anExportVerifiesOfflineAndAnyChangeToItIsNamed() throws IOException {
        write(12);
        String jsonl = exportJsonl(AuditQuery.all());

        ExportVerifier.Result whole = check(jsonl);
        assertThat(whole.valid()).as(whole.problem()).isTrue();
        assertThat(whole.events()).isEqualTo(12);
        assertThat(whole.checkpointsVerified()).isEqualTo(2);
        assertThat(whole.eventsCoveredBySignatures()).isEqualTo(10);

        String edited = jsonl.replace("\"resource_name\":\"Policy 7\"", "\"resource_name\":\"Policy 77\"");
        assertThat(edited).isNotEqualTo(jsonl);
        assertThat(check(edited).firstBadSequence()).isEqualTo(7);

        List<String> lines = new ArrayList<>(jsonl.lines().toList());
        lines.removeIf(l -> l.contains("\"sequence\":7,") && l.contains("\"hash\""));
        assertThat(check(String.join("\n", lines)).firstBadSequence()).isEqualTo(7);

        List<String> cut = new ArrayList<>(jsonl.lines().toList());
        cut.remove(cut.size() - 1);
        assertThat(check(String.join("\n", cut)).problem()).contains("cut short");

        String claimedFiltered = jsonl.replaceFirst("\"filtered\":false", "\"filtered\":true");
        assertThat(check(claimedFiltered).valid()).isFalse();
    }

    @Test
    void aFilteredExportIsProvenEventByEvent() throws IOException {
        write(6);
        log.success(AuditEvent.of("backup_downloaded", "backup", "backup-1", "shop", Map.of()));
        write(3);

        ExportVerifier.Result result = check(exportJsonl(AuditQuery.all().withAction("backup_downloaded")));

        assertThat(result.valid()).as(result.problem()).isTrue();
        assertThat(result.filtered()).isTrue();
        assertThat(result.events()).isEqualTo(1);
        assertThat(result.firstSequence()).isEqualTo(7);
    }

    @Test
    void eventsFromBeforeTheChainAreSealedInTheirOrder() throws Exception {
        dataSource = catalog();
        migrate("5");
        JdbcClient old = JdbcClient.create(dataSource);
        for (int i = 1; i <= 3; i++) {
            old.sql("INSERT INTO audit_events (id, occurred_at, action, resource_type, resource_id, resource_name, user_id,"
                    + " status, details, before_value, after_value) VALUES (?, ?, 'database_updated', 'database', 'db-1',"
                    + " 'Shop', 'anonymous', 'success', '{\"engine_id\":\"engine-1\",\"database_type\":\"mysql\"}',"
                    + " '{\"port\":3306}', '{\"port\":3307}')").params("audit-old-" + i, 1000L * i).update();
        }
        migrate(null);
        build();

        chain.sealUnsealed();
        write(2);

        ChainVerifier.Result result = verify();
        assertThat(result.valid()).as(result.problem()).isTrue();
        assertThat(result.checkedEvents()).isEqualTo(5);
        AuditRecord first = repository.atSequence(1).orElseThrow();
        assertThat(first.id()).isEqualTo("audit-old-1");
        assertThat(first.engineId()).isEqualTo("engine-1");
        assertThat(first.databaseType()).isEqualTo("mysql");
        assertThat(first.category()).isEqualTo("configuration");
        assertThat(first.changes()).isEqualTo(Map.of("port", Map.of("from", 3306, "to", 3307)));
    }

    @Test
    void expiredOperationEventsAreArchivedFirstThenEmptiedAndTheChainStillVerifies() throws IOException {
        write(6);
        asUser(() -> write(2));
        LocalStorageBackend storage = new LocalStorageBackend(dir.resolve("backups"));
        AuditRetention retention = retention(storage, NOW.plus(Duration.ofDays(400)));

        AuditRetention.Report report = retention.archiveExpired();

        assertThat(report.events()).isEqualTo(6);
        assertThat(report.segments()).isEqualTo(2);
        assertThat(report.firstSequence()).isEqualTo(1);
        assertThat(report.lastSequence()).isEqualTo(6);
        AuditRecord emptied = repository.atSequence(3).orElseThrow();
        assertThat(emptied.archived()).isTrue();
        assertThat(emptied.details()).isNull();
        assertThat(emptied.resourceName()).isNull();
        assertThat(repository.atSequence(7).orElseThrow().details()).isNotNull();
        ChainVerifier.Result result = verify();
        assertThat(result.valid()).as(result.problem()).isTrue();
        assertThat(result.archivedEvents()).isEqualTo(6);
        assertThat(count(AuditQuery.all().withAction("audit_archived"))).isEqualTo(2);
        for (String key : report.keys()) {
            try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(storage.read(key),
                    StandardCharsets.UTF_8))) {
                ExportVerifier.Result segment = ExportVerifier.verify(in, service.publicKey());
                assertThat(segment.valid()).as(segment.problem()).isTrue();
                assertThat(segment.archivedEvents()).isZero();
            }
        }
        ExportVerifier.Result whole = check(exportJsonl(AuditQuery.all()));
        assertThat(whole.valid()).as(whole.problem()).isTrue();
        assertThat(whole.archivedEvents()).isEqualTo(6);
        assertThat(retention.archiveExpired().events()).as("nothing is archived twice").isZero();
    }

    @Test
    void anEventEmptiedOutsideCustosOrAnArchivedHashSwappedIsNamed() throws IOException {
        write(6);
        retention(new LocalStorageBackend(dir.resolve("backups")), NOW.plus(Duration.ofDays(400))).archiveExpired();
        write(3);
        String key = repository.atSequence(1).orElseThrow().archivedIn();

        jdbc.sql("UPDATE audit_events SET archived_in = ? WHERE sequence = 10").param(key).update();
        ChainVerifier.Result hidden = verify();
        assertThat(hidden.valid()).isFalse();
        assertThat(hidden.problem()).contains("not those its audit_archived event records");

        jdbc.sql("UPDATE audit_events SET archived_in = NULL WHERE sequence = 10").update();
        jdbc.sql("UPDATE audit_events SET hash = ? WHERE sequence = 2").param("0".repeat(64)).update();
        ChainVerifier.Result swapped = verify();
        assertThat(swapped.valid()).isFalse();
        assertThat(swapped.firstBadSequence()).isIn(3L, 1L);
    }

    @Test
    void userActionsAreKeptForeverByDefault() {
        asUser(() -> write(3));

        AuditRetention.Report report = retention(new LocalStorageBackend(dir.resolve("backups")),
                NOW.plus(Duration.ofDays(4000))).archiveExpired();

        assertThat(report.events()).isZero();
        assertThat(repository.atSequence(1).orElseThrow().actorType()).isEqualTo("anonymous");
    }

    AuditRetention retention(LocalStorageBackend storage, Instant now) {
        AuditArchive archive = (key, content) -> storage.write(key, content::writeTo);
        return new AuditRetention(jdbc, repository, export, log, java.util.Optional.of(archive), transactions,
                Clock.fixed(now, ZoneOffset.UTC), properties);
    }

    /** Runs {@code work} as if inside an API request, so its events are user actions. */
    static void asUser(Runnable work) {
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(new MockHttpServletRequest("POST", "/api/x")));
        try {
            work.run();
        } finally {
            RequestContextHolder.resetRequestAttributes();
        }
    }

    String exportJsonl(AuditQuery query) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        export.jsonl(query, Map.of(), out, NOW.toEpochMilli());
        return out.toString(StandardCharsets.UTF_8);
    }

    ExportVerifier.Result check(String jsonl) throws IOException {
        return ExportVerifier.verify(new BufferedReader(new StringReader(jsonl)), service.publicKey());
    }

    /** Inserts a copy of event {@code from} (its hash too) as event {@code at}, as an intruder with SQL would. */
    void copyEvent(long from, long at, String id) {
        jdbc.sql("INSERT INTO audit_events (" + AuditRows.COLUMNS + ") SELECT ?, ?, occurred_at, action, resource_type,"
                + " resource_id, resource_name, user_id, user_email, actor_type, status, category, severity,"
                + " sensitive_data_accessed, gdpr_relevant, sox_relevant, hipaa_relevant, engine_id, database_type, details,"
                + " before_value, after_value, changes, error_message, ip_address, user_agent, request_id, http_method,"
                + " http_path, hash, archived_in FROM audit_events WHERE sequence = ?").params(id, at, from).update();
    }
}

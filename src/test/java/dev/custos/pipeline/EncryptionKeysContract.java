package dev.custos.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.custos.app.CustosApplication;
import dev.custos.catalog.SecretBox;

/**
 * What the key table must do the same way on every catalog, above all under concurrency: one first key however
 * many backups start at once, and rotations that never leave two active keys or none. Subclasses only point Custos
 * at a fresh catalog; the first test relies on it being empty.
 */
@SpringBootTest(classes = CustosApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class EncryptionKeysContract {

    @Autowired
    EncryptionKeys keys;
    @Autowired
    JdbcClient catalog;
    @Autowired
    SecretBox secrets;

    private <T> List<T> atOnce(int threads, Callable<T> call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private long activeRows() {
        return catalog.sql("SELECT count(*) FROM encryption_keys WHERE active = TRUE").query(Long.class).single();
    }

    @Test
    @Order(1)
    void backupsStartingTogetherShareOneFirstKey() throws Exception {
        assertThat(keys.list()).as("a fresh catalog").isEmpty();

        List<String> ids = atOnce(8, keys::activeKeyId);

        assertThat(new HashSet<>(ids)).hasSize(1);
        assertThat(ids.get(0)).startsWith("key-");
        assertThat(keys.list()).singleElement().satisfies(k -> {
            assertThat(k.id()).isEqualTo(ids.get(0));
            assertThat(k.active()).isTrue();
            assertThat(k.retiredAt()).isNull();
        });
        assertThat(catalog.sql("SELECT count(*) FROM audit_events WHERE action = 'encryption_key_created'")
                .query(Long.class).single()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void concurrentRotationsEachRetireTheKeyBeforeThem() throws Exception {
        String first = keys.activeKeyId();
        int before = keys.list().size();

        List<EncryptionKeys.Rotation> rotations = atOnce(5, keys::rotate);

        assertThat(activeRows()).isEqualTo(1);
        assertThat(keys.list()).hasSize(before + 5);
        Set<String> retired = new HashSet<>();
        Set<String> made = new HashSet<>();
        for (EncryptionKeys.Rotation r : rotations) {
            retired.add(r.retiredKeyId());
            made.add(r.keyId());
        }
        // The rotations form one chain: the first retired the old active key, each later one its predecessor's.
        assertThat(retired).hasSize(5).contains(first);
        assertThat(made).hasSize(5);
        Set<String> chain = new HashSet<>(made);
        chain.add(first);
        chain.removeAll(retired);
        assertThat(chain).containsExactly(keys.activeKeyId());
        assertThat(keys.list()).filteredOn(k -> !k.active()).allSatisfy(k -> assertThat(k.retiredAt()).isNotNull());
    }

    @Test
    @Order(3)
    void everyKeyOpensAfterRotationAndOnlyWithItsOwnId() throws Exception {
        keys.rotate();
        for (EncryptionKey k : keys.list()) {
            assertThat(keys.streamingAead(k.id())).as(k.id()).isPresent();
        }
        assertThat(keys.streamingAead("key-never-made")).isEmpty();

        String id = keys.activeKeyId();
        String sealed = catalog.sql("SELECT keyset FROM encryption_keys WHERE id = ?").param(id).query(String.class).single();
        String other = keys.list().get(1).id();
        catalog.sql("UPDATE encryption_keys SET keyset = ? WHERE id = ?").params(sealed, other).update();
        assertThatThrownBy(() -> keys.unseal(other, sealed)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("master key");
    }
}

package dev.custos.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.catalog.Ids;

/**
 * Writes audit events. Called inside the transaction of the change an event describes, it appends the event to the
 * chain as that transaction commits: the change and its event commit together or not at all, and a rolled-back
 * change leaves no event (nor a gap in the sequence). Called outside a transaction, it appends at once in its own.
 * Who, where from and how are taken from the current request; secrets are redacted before anything is stored or
 * hashed.
 */
@Component
public class AuditLog {

    /** Field names whose values never reach the audit trail, at any depth. */
    private static final Set<String> SECRET_FIELDS = Set.of("password", "password_enc", "secret", "token", "api_key",
            "passphrase", "private_key", "client_secret", "secret_key", "secret_access_key", "access_key",
            "connection_string", "sas_token", "encryption_keyset", "master_key", "signature", "credentials");

    /** Suffixes that mark a field as a secret whatever comes before them ({@code target_password}, {@code s3_secret}). */
    private static final List<String> SECRET_SUFFIXES = List.of("_password", "_secret", "_token", "_key_enc", "_passphrase");

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    /** Before authentication exists every request's actor is anonymous (the spec's development mode). */
    static final String ANONYMOUS = "anonymous";

    /** The actor of what Custos does by itself: workers, schedules, sweeps. */
    static final String SYSTEM = "system";

    private final JsonMapper json;
    private final Clock clock;
    private final AuditChain chain;
    private final TransactionTemplate tx;
    private final ExecutorService afterCommit = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "audit-after-commit");
        t.setDaemon(true);
        return t;
    });

    AuditLog(JsonMapper json, Clock clock, AuditChain chain, PlatformTransactionManager transactions) {
        this.json = json;
        this.clock = clock;
        this.chain = chain;
        this.tx = new TransactionTemplate(transactions);
    }

    /**
     * An audit log over a catalog without a Spring context (tools and tests that build their pieces by hand): the
     * events are chained and checkpoints signed exactly as in the server.
     */
    public static AuditLog forCatalog(DataSource catalog, JsonMapper json, Clock clock, AuditProperties properties) {
        JdbcClient jdbc = JdbcClient.create(catalog);
        boolean postgres;
        try (Connection c = catalog.getConnection()) {
            postgres = c.getMetaData().getURL().startsWith("jdbc:postgresql:");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot open the catalog", e);
        }
        AuditChain chain = new AuditChain(jdbc, postgres, properties, new AuditCheckpoints(jdbc, properties));
        return new AuditLog(json, clock, chain, new DataSourceTransactionManager(catalog));
    }

    public void success(AuditEvent event) {
        write(event, "success", null);
    }

    public void failure(AuditEvent event, String errorMessage) {
        write(event, "failed", errorMessage);
    }

    /**
     * A failure of work done in a transaction's commit callback (objects removed from storage once the records that
     * named them are gone). There the finished transaction still holds its catalog connection (SQLite's driver even
     * begins the next transaction on it, holding the write lock), so the event can neither join it nor commit beside
     * it. It is built now, with the request's who, where and how, and appended in a transaction of its own as soon as
     * the connection is let go: moments later, on a thread of its own.
     */
    public void failureAfterCommit(AuditEvent event, String errorMessage) {
        AuditDraft draft = draft(event, "failed", errorMessage);
        afterCommit.execute(() -> {
            try {
                tx.executeWithoutResult(s -> chain.append(List.of(draft), clock.millis()));
            } catch (RuntimeException e) {
                log.error("Could not write the audit event {} of {} {}: {}", draft.action(), draft.resourceType(),
                        draft.resourceId(), errorMessage, e);
            }
        });
    }

    /** Lets the events handed to {@link #failureAfterCommit} be written before the catalog closes. */
    @PreDestroy
    void close() throws InterruptedException {
        afterCommit.shutdown();
        if (!afterCommit.awaitTermination(30, TimeUnit.SECONDS)) {
            log.warn("Audit events written after a commit were still waiting at shut-down");
        }
    }

    private void write(AuditEvent event, String status, String errorMessage) {
        AuditDraft draft = draft(event, status, errorMessage);
        if (TransactionSynchronizationManager.isSynchronizationActive()
                && TransactionSynchronizationManager.isActualTransactionActive()) {
            pending().drafts.add(draft);
        } else {
            tx.executeWithoutResult(s -> chain.append(List.of(draft), clock.millis()));
        }
    }

    /**
     * The events waiting for the current transaction's commit. Looked up among the transaction's synchronizations (not
     * in a thread-bound resource), so a suspended outer transaction's events never commit with an inner one.
     */
    private Pending pending() {
        for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
            if (s instanceof Pending p) {
                return p;
            }
        }
        Pending p = new Pending();
        TransactionSynchronizationManager.registerSynchronization(p);
        return p;
    }

    private final class Pending implements TransactionSynchronization {

        private final List<AuditDraft> drafts = new ArrayList<>();

        @Override
        public void beforeCommit(boolean readOnly) {
            if (!drafts.isEmpty()) {
                chain.append(List.copyOf(drafts), clock.millis());
                drafts.clear();
            }
        }
    }

    /** Who is acting now, as the audit trail names them: the request's user, or {@code system} for workers. */
    public static String currentActor() {
        return actor(currentRequest()).userId();
    }

    private static Actor actor(HttpServletRequest request) {
        return request == null ? Actor.SYSTEM : Actor.of(request);
    }

    private AuditDraft draft(AuditEvent event, String status, String errorMessage) {
        HttpServletRequest request = currentRequest();
        Actor actor = actor(request);
        Object details = tree(event.details());
        Object before = tree(event.before());
        Object after = tree(event.after());
        return new AuditDraft(
                Ids.newId("audit"),
                event.action(),
                event.resourceType(),
                event.resourceId(),
                event.resourceName(),
                actor.userId(),
                actor.email(),
                actor.type(),
                status,
                chain.rules().classify(event.action(), event.resourceType(), status),
                AuditDraft.engineId(details, event.resourceType(), event.resourceId()),
                AuditDraft.databaseType(details),
                AuditDraft.json(details),
                AuditDraft.json(before),
                AuditDraft.json(after),
                AuditDraft.json(AuditDraft.changes(before, after)),
                errorMessage,
                request == null ? null : request.getRemoteAddr(),
                request == null ? null : request.getHeader("User-Agent"),
                request == null ? null : (String) request.getAttribute(RequestIds.ATTRIBUTE),
                request == null ? null : request.getMethod(),
                request == null ? null : request.getRequestURI());
    }

    /**
     * A value as the JSON tree the API would show, with secrets redacted, in the form it has once stored and read
     * back (so that comparing two of them compares values, not number types).
     */
    private Object tree(Object value) {
        return value == null ? null : Canonical.parse(Canonical.json(redact(json.convertValue(value, Object.class))));
    }

    private static Object redact(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), isSecret(String.valueOf(k)) ? "[redacted]" : redact(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(AuditLog::redact).toList();
        }
        return value;
    }

    private static boolean isSecret(String field) {
        String f = field.toLowerCase(Locale.ROOT);
        if (f.startsWith("has_")) {
            // has_password says whether a secret is set, never what it is: hiding it hides a change of credentials.
            return false;
        }
        if (SECRET_FIELDS.contains(f)) {
            return true;
        }
        for (String suffix : SECRET_SUFFIXES) {
            if (f.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    private static HttpServletRequest currentRequest() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes instanceof ServletRequestAttributes sra ? sra.getRequest() : null;
    }
}

package dev.custos.audit;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where archived audit events go: the backup storage, reached through this port because audit calls no feature
 * (the application wires it to the configured storage backend).
 */
public interface AuditArchive {

    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Stores a segment under {@code key}, all or nothing, never replacing one that exists. */
    void store(String key, Content content) throws IOException;
}

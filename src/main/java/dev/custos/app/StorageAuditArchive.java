package dev.custos.app;

import java.io.IOException;

import org.springframework.stereotype.Component;

import dev.custos.audit.AuditArchive;
import dev.custos.storage.StorageBackend;

/** Archived audit segments go to the backup storage, written all-or-nothing like backups. */
@Component
class StorageAuditArchive implements AuditArchive {

    private final StorageBackend storage;

    StorageAuditArchive(StorageBackend storage) {
        this.storage = storage;
    }

    @Override
    public void store(String key, Content content) throws IOException {
        storage.write(key, content::writeTo);
    }
}

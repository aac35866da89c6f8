package dev.custos.storage;

import java.time.Instant;

/** An object in a store: its key, size in bytes and when it was last written. */
public record StoredObject(String key, long size, Instant lastModified) {
}

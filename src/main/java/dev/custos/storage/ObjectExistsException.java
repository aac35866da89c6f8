package dev.custos.storage;

import java.io.IOException;

public class ObjectExistsException extends IOException {
    public ObjectExistsException(String key) {
        super("object already exists: " + key);
    }
}

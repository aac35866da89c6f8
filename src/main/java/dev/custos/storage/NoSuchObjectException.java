package dev.custos.storage;

import java.io.IOException;

public class NoSuchObjectException extends IOException {
    public NoSuchObjectException(String key) {
        super("no such object: " + key);
    }
}

package dev.custos.pipeline;

import java.io.IOException;
import java.io.OutputStream;

/** The producing end of the pipeline: writes the raw dump into {@code out} (does not close it) and says what it made. */
@FunctionalInterface
public interface DumpWriter<T> {
    T writeTo(OutputStream out) throws IOException;
}

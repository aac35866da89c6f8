package dev.custos.connectors.postgres;

import java.nio.file.Path;

/** An installed pg_dump and the version it reports. */
record PgDump(Path path, PgVersion version) {
}

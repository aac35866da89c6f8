package dev.custos.connectors.postgres;

import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpTools;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The pg_dump binaries on this machine and their versions. Packages install one per major version side by side
 * (Debian: /usr/lib/postgresql/15/bin; PGDG RPMs: /usr/pgsql-15/bin); the one on PATH counts too. Asking each
 * for its version starts a process, so the answer is kept, and looked for again only when no pg_dump fits a
 * server: that is when a newly installed client would make a difference.
 */
final class InstalledPgDumps {

    /** Directories whose children named by {@code prefix}* hold a bin/pg_dump. */
    private record VersionedRoot(Path directory, String prefix) {
    }

    private static final List<VersionedRoot> DEFAULT_ROOTS = List.of(
            new VersionedRoot(Path.of("/usr/lib/postgresql"), ""),
            new VersionedRoot(Path.of("/usr"), "pgsql-"));

    private final CommandRunner runner;
    private final List<VersionedRoot> roots;
    private volatile List<PgDump> found;

    InstalledPgDumps(CommandRunner runner) {
        this(runner, DEFAULT_ROOTS);
    }

    private InstalledPgDumps(CommandRunner runner, List<VersionedRoot> roots) {
        this.runner = runner;
        this.roots = roots;
    }

    /** The pg_dump to use for a server, by {@link PgDumpVersions#choose}. */
    PgDump forServer(PgVersion server) {
        try {
            return PgDumpVersions.choose(server, installed(false));
        } catch (DumpException e) {
            return PgDumpVersions.choose(server, installed(true));
        }
    }

    private List<PgDump> installed(boolean lookAgain) {
        List<PgDump> known = found;
        if (known == null || lookAgain) {
            synchronized (this) {
                known = found;
                if (known == null || lookAgain) {
                    known = List.copyOf(find());
                    found = known;
                }
            }
        }
        return known;
    }

    private List<PgDump> find() {
        Set<Path> candidates = new LinkedHashSet<>();
        for (VersionedRoot root : roots) {
            candidates.addAll(versionedBinaries(root));
        }
        DumpTools.onPath("pg_dump").flatMap(InstalledPgDumps::realPath)
                // Debian's pg_wrapper picks a version by its own rules, possibly not the one it reports for --version;
                // the binaries it dispatches to are found above anyway.
                .filter(path -> !path.getFileName().toString().equals("pg_wrapper"))
                .ifPresent(candidates::add);
        List<PgDump> dumps = new ArrayList<>();
        for (Path candidate : candidates) {
            try {
                PgVersion.ofTool(DumpTools.versionLine(runner, candidate))
                        .ifPresent(version -> dumps.add(new PgDump(candidate, version)));
            } catch (DumpException e) {
                // A broken installation cannot dump; the others may.
            }
        }
        return dumps;
    }

    private static List<Path> versionedBinaries(VersionedRoot root) {
        List<Path> binaries = new ArrayList<>();
        if (!Files.isDirectory(root.directory())) {
            return binaries;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root.directory(), root.prefix() + "*")) {
            for (Path child : children) {
                Path binary = child.resolve("bin").resolve("pg_dump");
                if (Files.isRegularFile(binary) && Files.isExecutable(binary)) {
                    realPath(binary).ifPresent(binaries::add);
                }
            }
        } catch (IOException e) {
            // An unreadable directory holds nothing we can run.
        }
        binaries.sort(null);
        return binaries;
    }

    private static Optional<Path> realPath(Path path) {
        try {
            return Optional.of(path.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

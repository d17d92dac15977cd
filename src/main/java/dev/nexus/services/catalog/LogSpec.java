package dev.nexus.services.catalog;

import java.nio.file.Path;

/** Where a daemon's stdout and stderr go, and how the files rotate (size × files kept). */
public record LogSpec(Path stdout, Path stderr, long maxBytes, int keep) {
    public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    public static final int DEFAULT_KEEP = 5;
}

package dev.nexus.services.catalog;

import java.time.Duration;

/** A job runs its command every {@code every}, each run bounded by {@code timeout}. */
public record JobSpec(Duration every, Duration timeout) {
    /** Used when the catalog gives no timeout: long enough for an update check, short enough to notice a hang. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
}

package dev.nexus.services.catalog;

import java.time.Duration;

/** A job runs its command every {@code every}, each run bounded by {@code timeout}. */
public record JobSpec(Duration every, Duration timeout) {
}

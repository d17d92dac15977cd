package dev.nexus.services.health;

import java.util.concurrent.CompletableFuture;

/**
 * One asynchronous check. {@link #check()} must return at once and never block the caller; the
 * future completes (never exceptionally) within the probe's timeout plus a small margin.
 */
@FunctionalInterface
public interface Probe {
    CompletableFuture<ProbeResult> check();
}

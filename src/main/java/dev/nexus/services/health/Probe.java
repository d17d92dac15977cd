package dev.nexus.services.health;

import java.util.concurrent.CompletableFuture;

/**
 * One asynchronous check. {@link #check()} must return at once and never block the caller; the
 * future completes (never exceptionally) within the probe's timeout plus a small margin.
 */
@FunctionalInterface
public interface Probe {
    CompletableFuture<ProbeResult> check();

    /**
     * Whether the probe's own deadline completes every try within its timeout. A {@link ProbeLoop}
     * arms no watchdog for such a probe: at hundreds of tries a second, a second timer task per try
     * that is nearly always cancelled is a measurable part of the engine's CPU.
     */
    default boolean boundsItself() {
        return false;
    }
}

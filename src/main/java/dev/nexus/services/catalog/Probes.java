package dev.nexus.services.catalog;

/**
 * The three probes of a service; any may be null. Startup gates the others (its failures are
 * not counted against liveness); liveness failing means restart; readiness failing means degraded.
 */
public record Probes(ProbeSpec startup, ProbeSpec liveness, ProbeSpec readiness) {
    public static final Probes NONE = new Probes(null, null, null);

    public boolean isEmpty() {
        return startup == null && liveness == null && readiness == null;
    }
}

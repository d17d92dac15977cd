package dev.nexus.services.health;

/** What the probes say about a service. */
public enum Health {
    /** Nothing known yet (not probed, or no probes while not running). */
    UNKNOWN,
    /** Inside the startup grace: failures are not counted. */
    STARTING,
    HEALTHY,
    /** Readiness failing, reconnecting, a child item down, or post-wake grace. */
    DEGRADED,
    /** Liveness failed past its threshold. */
    UNHEALTHY
}

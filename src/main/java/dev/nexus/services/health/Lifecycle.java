package dev.nexus.services.health;

/** Where a service is in its life, as the supervisor sees it. */
public enum Lifecycle {
    STOPPED, STARTING, RUNNING, BACKOFF, STOPPING, CRASH_LOOP, FAILED, UNKNOWN;

    /** True while a process is (or should soon be) there. */
    public boolean isActive() {
        return this == STARTING || this == RUNNING || this == BACKOFF || this == CRASH_LOOP;
    }
}

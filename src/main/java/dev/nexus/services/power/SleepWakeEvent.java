package dev.nexus.services.power;

import java.time.Instant;
import java.util.Objects;

/**
 * One report from a sleep/wake source.
 *
 * @param kind       SLEEP: the machine is about to sleep (only sources that know ahead send it);
 *                   WAKE: it woke
 * @param source     the id of the source that reported it ("logind", "iokit", "windows-power", "clock")
 * @param at         when the source saw it (wall clock)
 * @param sleptSince for a WAKE, when the sleep began if the source can tell (the clock fallback
 *                   measures the gap), else null
 */
public record SleepWakeEvent(Kind kind, String source, Instant at, Instant sleptSince) {
    public enum Kind { SLEEP, WAKE }

    public SleepWakeEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
    }

    public static SleepWakeEvent sleep(String source, Instant at) {
        return new SleepWakeEvent(Kind.SLEEP, source, at, null);
    }

    public static SleepWakeEvent wake(String source, Instant at, Instant sleptSince) {
        return new SleepWakeEvent(Kind.WAKE, source, at, sleptSince);
    }
}

package dev.nexus.services.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of one wake's recovery while it is being written: units add to it on the engine loop
 * (only there), the engine publishes it as a {@link WakeRecovery}. {@code changed} runs after every
 * addition that happens after the wake itself (a restart at the end of the grace), so subscribers
 * hear of it.
 */
final class RecoveryLog {
    private final Instant sleptAt;
    private final Instant wokeAt;
    private final String source;
    private final Instant graceUntil;
    private final Runnable changed;
    private final List<String> probed = new ArrayList<>();
    private final List<String> reconnected = new ArrayList<>();
    private final List<String> retried = new ArrayList<>();
    private final List<WakeRecovery.Restart> restarted = new ArrayList<>();
    private boolean graceOver;

    RecoveryLog(Instant sleptAt, Instant wokeAt, String source, Instant graceUntil, Runnable changed) {
        this.sleptAt = sleptAt;
        this.wokeAt = wokeAt;
        this.source = source;
        this.graceUntil = graceUntil;
        this.changed = changed;
    }

    Instant graceUntil() {
        return graceUntil;
    }

    boolean graceOver() {
        return graceOver;
    }

    void probed(String service) {
        probed.add(service);
    }

    void reconnected(String service) {
        if (!reconnected.contains(service)) {
            reconnected.add(service);
        }
    }

    void retried(String service) {
        retried.add(service);
    }

    void restarted(String service, String reason, String detail, Instant at) {
        restarted.add(new WakeRecovery.Restart(service, reason, detail, at));
        changed.run();
    }

    void endGrace() {
        graceOver = true;
    }

    WakeRecovery snapshot() {
        return new WakeRecovery(sleptAt, wokeAt, source, graceUntil, graceOver, probed, reconnected, retried, restarted,
                WakeRecovery.summarize(probed, reconnected, retried, restarted, graceOver));
    }
}

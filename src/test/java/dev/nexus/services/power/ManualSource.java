package dev.nexus.services.power;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** A source the test drives by hand; {@code unavailable} makes start() refuse, as a source off its OS does. */
final class ManualSource implements SleepWakeSource {
    private final String id;
    private final String unavailable;
    private SleepWakeListener listener;
    boolean closed;

    ManualSource(String id) {
        this(id, null);
    }

    ManualSource(String id, String unavailable) {
        this.id = id;
        this.unavailable = unavailable;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean announcesSleep() {
        return true;
    }

    @Override
    public void start(SleepWakeListener listener) throws SourceUnavailableException {
        if (unavailable != null) {
            throw new SourceUnavailableException(unavailable);
        }
        this.listener = listener;
    }

    CompletionStage<Void> sleep(Instant at) {
        return listener.sleeping(SleepWakeEvent.sleep(id, at));
    }

    void wake(Instant at) {
        listener.woke(SleepWakeEvent.wake(id, at, null));
    }

    void wake(Instant at, Instant sleptSince) {
        listener.woke(SleepWakeEvent.wake(id, at, sleptSince));
    }

    @Override
    public void close() {
        closed = true;
    }
}

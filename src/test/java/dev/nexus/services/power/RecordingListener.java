package dev.nexus.services.power;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Records what a source reports; each sleep gets the stage {@code prepared} supplies (completed by default). */
final class RecordingListener implements SleepWakeListener {
    final BlockingQueue<SleepWakeEvent> events = new LinkedBlockingQueue<>();
    final List<SleepWakeEvent> all = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile Supplier<CompletionStage<Void>> prepared = () -> CompletableFuture.completedFuture(null);

    @Override
    public CompletionStage<Void> sleeping(SleepWakeEvent event) {
        events.add(event);
        all.add(event);
        return prepared.get();
    }

    @Override
    public void woke(SleepWakeEvent event) {
        events.add(event);
        all.add(event);
    }

    SleepWakeEvent next(Duration timeout) throws InterruptedException {
        SleepWakeEvent event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no sleep/wake event within " + timeout.toMillis() + " ms");
        }
        return event;
    }
}

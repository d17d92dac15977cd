package dev.nexus.services.power;

import dev.nexus.services.engine.Engine;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Connects the sleep/wake monitor to the engine: a sleep announcement makes the engine pause its probes
 * and close its connections (the source holds the sleep back until that is done, within its limit);
 * a wake makes it recover (DESIGN.md "Recovery after sleep/wake", {@link Engine#wake}). The daemon
 * runs one for its engine.
 */
public final class RecoveryCoordinator implements AutoCloseable {
    private final SleepWakeMonitor monitor;
    private final List<String> sources;

    private RecoveryCoordinator(SleepWakeMonitor monitor, List<String> sources) {
        this.monitor = monitor;
        this.sources = sources;
    }

    /** Starts {@code monitor} with the engine as its listener; closing the coordinator closes the monitor. */
    public static RecoveryCoordinator start(Engine engine, SleepWakeMonitor monitor) {
        Objects.requireNonNull(engine, "engine");
        List<String> started = monitor.start(new SleepWakeListener() {
            @Override
            public CompletionStage<Void> sleeping(SleepWakeEvent event) {
                return engine.prepareForSleep(event.source());
            }

            @Override
            public void woke(SleepWakeEvent event) {
                engine.wake(event.source(), event.sleptSince());
            }
        });
        return new RecoveryCoordinator(monitor, started);
    }

    /** The ids of the sources that are listening ("logind", "clock"). */
    public List<String> sources() {
        return sources;
    }

    public SleepWakeMonitor monitor() {
        return monitor;
    }

    @Override
    public void close() {
        monitor.close();
    }
}

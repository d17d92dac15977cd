package dev.nexus.services.tray.link;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.tray.model.LinkStatus;
import java.util.concurrent.Executor;

/**
 * What {@link EngineLink} reports, in order: a snapshot after each (re)connect, then the events that
 * follow it, and every change of the link itself. Called on the link's threads unless wrapped with
 * {@link #on(Executor, EngineListener)}.
 */
public interface EngineListener {
    void snapshot(EngineSnapshot snapshot);

    void service(ServiceSnapshot service);

    void removed(ServiceSnapshot service);

    void engine(EngineSnapshot.EngineInfo info);

    void link(LinkStatus status);

    /** The same listener, called through {@code executor} (the UI thread), in the same order. */
    static EngineListener on(Executor executor, EngineListener target) {
        return new EngineListener() {
            @Override
            public void snapshot(EngineSnapshot snapshot) {
                executor.execute(() -> target.snapshot(snapshot));
            }

            @Override
            public void service(ServiceSnapshot service) {
                executor.execute(() -> target.service(service));
            }

            @Override
            public void removed(ServiceSnapshot service) {
                executor.execute(() -> target.removed(service));
            }

            @Override
            public void engine(EngineSnapshot.EngineInfo info) {
                executor.execute(() -> target.engine(info));
            }

            @Override
            public void link(LinkStatus status) {
                executor.execute(() -> target.link(status));
            }
        };
    }
}

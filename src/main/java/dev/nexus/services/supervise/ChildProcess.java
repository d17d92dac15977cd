package dev.nexus.services.supervise;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** A daemon process the engine started, or re-adopted after an engine restart. */
public interface ChildProcess {
    String service();

    long pid();

    Instant startedAt();

    /** True when this engine did not start it but took it over from a previous engine. */
    boolean adopted();

    boolean isAlive();

    /** Completes once, as soon as the process exits (for children: at once, via {@code Process.onExit}). */
    CompletableFuture<ExitStatus> exited();

    /**
     * Stops the whole process tree: SIGTERM to the process group and every descendant, then after
     * {@code grace} SIGKILL to whatever is left. Completes when no process of the tree is alive.
     */
    CompletableFuture<ExitStatus> stop(Duration grace);
}

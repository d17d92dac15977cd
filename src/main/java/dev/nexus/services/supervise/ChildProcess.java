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
     * The pids of the process tree alive now: the process, its descendants and the other members of
     * its process group. After the process exited, what it left behind (a grandchild that still holds
     * the port); reads the process table, so call it off the engine's loop.
     */
    java.util.Set<Long> aliveTree();

    /**
     * Stops the whole process tree: SIGTERM to the process group and every descendant, then after
     * {@code grace} SIGKILL to whatever is left. Completes when no process of the tree is alive. Also
     * after the process itself exited: then it stops what the process left behind.
     */
    CompletableFuture<ExitStatus> stop(Duration grace);
}

package dev.nexus.services.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Runs one service's calls to its OS manager off the engine loop, one at a time and in the order they were
 * made: a state query made after a stop sees the stop, and an install never overlaps a start. Each call
 * runs a tool that may take seconds (systemctl, launchctl), so the loop never waits for one; its result
 * completes the returned future, which the unit continues on the loop. Used on the loop only.
 */
final class ManagerCalls {
    /** A call that may fail in the manager's words. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws Exception;
    }

    private final Executor worker;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    ManagerCalls(Executor worker) {
        this.worker = worker;
    }

    /** Queues {@code call} after every earlier one (whatever their outcome); completes with its result. */
    <T> CompletableFuture<T> submit(Call<T> call) {
        CompletableFuture<T> result = tail.handle((ignored, error) -> null).thenApplyAsync(ignored -> {
            try {
                return call.run();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, worker);
        tail = result;
        return result;
    }

    /** The cause of a failed call, without the wrapping of the futures. */
    static Throwable cause(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}

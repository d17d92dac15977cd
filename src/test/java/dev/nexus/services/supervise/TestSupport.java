package dev.nexus.services.supervise;

import dev.nexus.services.catalog.LogSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the supervisor tests: requests, polling with deadlines, cleanup. */
final class TestSupport {
    static final Map<String, String> PLAIN_ENV = Map.of("PATH", "/usr/bin:/bin");

    private TestSupport() {
    }

    static LaunchRequest request(String service, Path workingDir, List<String> command) {
        return request(service, workingDir, command, PLAIN_ENV);
    }

    static LaunchRequest request(String service, Path workingDir, List<String> command, Map<String, String> env) {
        LogSpec log = new LogSpec(workingDir.resolve(service + ".log"), workingDir.resolve(service + ".err.log"),
                LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP);
        return new LaunchRequest(service, command, workingDir, env, log, Set.of());
    }

    static void awaitTrue(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + timeout);
            }
            sleep(10);
        }
    }

    /** The trimmed content of a file a fixture writes, once it exists. */
    static String awaitFile(Path file, Duration timeout) {
        awaitTrue(file + " to be written", timeout, () -> Files.exists(file));
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    static <T> T await(CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete within " + timeout, e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Kills whatever a test left running: registered processes and all their descendants. */
    static final class Reaper implements AutoCloseable {
        private final List<ProcessHandle> handles = new ArrayList<>();

        synchronized void add(long pid) {
            ProcessHandle.of(pid).ifPresent(handles::add);
        }

        synchronized void add(ProcessHandle handle) {
            handles.add(handle);
        }

        @Override
        public synchronized void close() {
            for (ProcessHandle h : handles) {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }
            handles.clear();
        }
    }
}

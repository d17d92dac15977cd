package dev.nexus.services.health;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Shared bits of the probe tests: a timer like the engine's, and deadline-bounded waiting. */
final class ProbeTestSupport {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private ProbeTestSupport() {
    }

    static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "test-probe-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** The result, which must arrive within {@code within}; a probe future must never fail. */
    static ProbeResult await(CompletableFuture<ProbeResult> future, Duration within) {
        try {
            return future.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("probe gave no result within " + within);
        } catch (Exception e) {
            throw new AssertionError("probe future completed exceptionally", e);
        }
    }

    static void waitUntil(Duration within, BooleanSupplier condition, Supplier<String> whatFailed) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not true within " + within + ": " + whatFailed.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** A loopback port nobody listens on (bound then released, so the kernel just handed it out). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** True when the process is gone or only a zombie waiting to be reaped: either way, not running. */
    static boolean notRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return true;
        }
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return false; // no procfs to tell a zombie apart: trust isAlive
        }
        try {
            String text = Files.readString(stat);
            return text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true; // vanished between the two looks
        }
    }

    /**
     * Accepts one connection on {@code server} and reads until the peer closes it; fails if it is
     * still open after {@code within}. Shows that a timed-out probe does not leave its socket behind.
     */
    static void assertPeerCloses(ServerSocket server, Duration within) throws IOException {
        server.setSoTimeout((int) within.toMillis());
        try (java.net.Socket s = server.accept()) {
            s.setSoTimeout((int) within.toMillis());
            byte[] buf = new byte[4096];
            try {
                while (s.getInputStream().read(buf) >= 0) {
                    // the request; we never answer it
                }
            } catch (java.net.SocketTimeoutException e) {
                fail("the probe kept its connection open for more than " + within);
            } catch (java.net.SocketException e) {
                // reset by the probe: closed as well
            }
        }
    }
}

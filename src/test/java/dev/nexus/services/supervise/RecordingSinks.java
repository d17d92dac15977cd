package dev.nexus.services.supervise;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Collects what the launcher delivers, per service and stream, for the tests to look at. */
final class RecordingSinks implements OutputSinks {
    private final Map<String, Capture> captures = new ConcurrentHashMap<>();

    @Override
    public OutputStream open(LaunchRequest request, boolean stderr) {
        Capture capture = capture(request.service(), stderr);
        capture.opened();
        return capture;
    }

    Capture capture(String service, boolean stderr) {
        return captures.computeIfAbsent(service + (stderr ? ".err" : ".out"), k -> new Capture());
    }

    String out(String service) {
        return capture(service, false).text();
    }

    String err(String service) {
        return capture(service, true).text();
    }

    String awaitOut(String service, String expected, Duration timeout) {
        return capture(service, false).await(expected, timeout);
    }

    String awaitErr(String service, String expected, Duration timeout) {
        return capture(service, true).await(expected, timeout);
    }

    /** One stream's bytes; reopened streams (an adopter) append to the same capture. */
    static final class Capture extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int opens;
        private int closes;

        synchronized void opened() {
            opens++;
        }

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            notifyAll();
        }

        @Override
        public synchronized void close() throws IOException {
            closes++;
            notifyAll();
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized boolean allClosed() {
            return opens > 0 && opens == closes;
        }

        synchronized String await(String expected, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!text().contains(expected)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("\"" + expected + "\" did not arrive within " + timeout + "; got: " + text());
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            return text();
        }
    }
}

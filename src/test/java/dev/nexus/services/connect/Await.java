package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until a deadline; the failure says what was awaited and what was last seen. */
final class Await {
    private Await() {
    }

    static void until(Duration limit, String what, Supplier<Boolean> condition, Supplier<Object> lastSeen) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!condition.get()) {
            fail(what + " did not happen within " + limit.toMillis() + " ms; last seen: " + lastSeen.get());
        }
    }
}

package dev.nexus.services.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void grpcStyleReconnectBackoffGrowsByOnePointSixAndCapsAtThirtySeconds() {
        Backoff b = new Backoff(Duration.ofSeconds(1), 1.6, Duration.ofSeconds(30), 0);
        SplittableRandom r = new SplittableRandom(7);
        assertEquals(1000, b.delay(0, r).toMillis());
        assertEquals(1600, b.delay(1, r).toMillis());
        assertEquals(2560, b.delay(2, r).toMillis());
        assertEquals(30_000, b.delay(20, r).toMillis());
        assertEquals(30_000, b.delay(10_000, r).toMillis(), "huge attempt counts do not overflow");
    }

    @Test
    void jitterStaysWithinBoundsAtTheCap() {
        Backoff b = new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(60), 0.2);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            long ms = b.delay(30, r).toMillis();
            assertTrue(ms >= 48_000 && ms <= 72_000, "got " + ms);
        }
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(5), 2, Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(9), 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(9), 1.5));
    }
}

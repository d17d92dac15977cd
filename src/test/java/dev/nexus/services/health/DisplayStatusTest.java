package dev.nexus.services.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisplayStatusTest {
    @Test
    void rollsLifecycleAndHealthUpIntoWhatPeopleSee() {
        assertEquals(DisplayStatus.HEALTHY, DisplayStatus.of(Lifecycle.RUNNING, Health.HEALTHY));
        assertEquals(DisplayStatus.DEGRADED, DisplayStatus.of(Lifecycle.RUNNING, Health.DEGRADED));
        assertEquals(DisplayStatus.DOWN, DisplayStatus.of(Lifecycle.RUNNING, Health.UNHEALTHY));
        assertEquals(DisplayStatus.STARTING, DisplayStatus.of(Lifecycle.RUNNING, Health.STARTING));
        assertEquals(DisplayStatus.STARTING, DisplayStatus.of(Lifecycle.STARTING, Health.UNKNOWN));
        assertEquals(DisplayStatus.STARTING, DisplayStatus.of(Lifecycle.STOPPING, Health.HEALTHY));
        assertEquals(DisplayStatus.DOWN, DisplayStatus.of(Lifecycle.BACKOFF, Health.UNKNOWN));
        assertEquals(DisplayStatus.DOWN, DisplayStatus.of(Lifecycle.CRASH_LOOP, Health.UNKNOWN));
        assertEquals(DisplayStatus.DOWN, DisplayStatus.of(Lifecycle.FAILED, Health.UNKNOWN));
        assertEquals(DisplayStatus.STOPPED, DisplayStatus.of(Lifecycle.STOPPED, Health.HEALTHY));
        assertEquals(DisplayStatus.UNKNOWN, DisplayStatus.of(Lifecycle.UNKNOWN, Health.HEALTHY));
    }

    @Test
    void worstIgnoresStoppedServicesUnlessAllAreStopped() {
        assertEquals(DisplayStatus.DOWN, DisplayStatus.worst(List.of(DisplayStatus.HEALTHY, DisplayStatus.DOWN,
                DisplayStatus.DEGRADED)));
        assertEquals(DisplayStatus.HEALTHY, DisplayStatus.worst(List.of(DisplayStatus.HEALTHY, DisplayStatus.STOPPED)));
        assertEquals(DisplayStatus.STOPPED, DisplayStatus.worst(List.of(DisplayStatus.STOPPED)));
        assertEquals(DisplayStatus.STOPPED, DisplayStatus.worst(List.of()));
    }

    @Test
    void everyStatusHasItsOwnBadgeSoColourIsNeverTheOnlySignal() {
        assertEquals(DisplayStatus.values().length,
                Arrays.stream(DisplayStatus.values()).map(DisplayStatus::badge).distinct().count());
        assertNotEquals(DisplayStatus.STOPPED.badge(), DisplayStatus.UNKNOWN.badge(), "both are grey");
    }
}

package dev.nexus.services.tray.model;

import static dev.nexus.services.tray.model.Snapshots.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraySummaryTest {
    @Test
    void tooltipCountsAndNamesWhatNeedsAttention() {
        TraySummary s = TraySummary.of(List.of(Snapshots.healthy("gateway"), Snapshots.unhealthy("cloud", "refused"),
                Snapshots.job("hub", 0), Snapshots.healthy("collab")), LinkStatus.CONNECTED, NOW);
        assertEquals("Nexus: 3 healthy, 1 down (cloud)", s.tooltip());
        assertEquals(DisplayStatus.DOWN, s.status());
    }

    @Test
    void iconIsTheWorstOverEnabledServicesIgnoringStoppedAndDisabled() {
        assertEquals(DisplayStatus.HEALTHY, TraySummary.of(List.of(Snapshots.healthy("a"), Snapshots.stopped("b"),
                Snapshots.disabled("c")), LinkStatus.CONNECTED, NOW).status());
        assertEquals(DisplayStatus.DEGRADED, TraySummary.of(List.of(Snapshots.healthy("a"),
                Snapshots.daemon("b", Lifecycle.RUNNING, Health.DEGRADED),
                Snapshots.daemon("c", Lifecycle.STARTING, Health.STARTING)), LinkStatus.CONNECTED, NOW).status());
        assertEquals(DisplayStatus.STARTING, TraySummary.of(List.of(Snapshots.healthy("a"),
                Snapshots.daemon("c", Lifecycle.STARTING, Health.STARTING)), LinkStatus.CONNECTED, NOW).status());
        // A disabled service that is down does not colour the icon.
        TraySummary disabledDown = TraySummary.of(List.of(Snapshots.healthy("a"),
                withEnabled(Snapshots.failed("b", "binary_missing", "x"), false)), LinkStatus.CONNECTED, NOW);
        assertEquals(DisplayStatus.HEALTHY, disabledDown.status());
        assertEquals("Nexus: 1 healthy", disabledDown.tooltip());
    }

    @Test
    void allStoppedIsStopped() {
        TraySummary s = TraySummary.of(List.of(Snapshots.stopped("a"), Snapshots.stopped("b")), LinkStatus.CONNECTED, NOW);
        assertEquals(DisplayStatus.STOPPED, s.status());
        assertEquals("Nexus: 2 stopped", s.tooltip());
    }

    @Test
    void unreachableEngineIsUnknownWithTheCountdown() {
        TraySummary s = TraySummary.of(List.of(Snapshots.healthy("a")),
                LinkStatus.unreachable("refused", NOW.plusMillis(3_500)), NOW);
        assertEquals(DisplayStatus.UNKNOWN, s.status());
        assertEquals("Nexus: Engine unreachable — retrying in 4 s", s.tooltip());
    }

    @Test
    void longTooltipsAreClippedForWindows() {
        List<dev.nexus.services.engine.ServiceSnapshot> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add(Snapshots.unhealthy("service-number-" + i, "x"));
        }
        TraySummary s = TraySummary.of(many, LinkStatus.CONNECTED, NOW);
        assertTrue(s.tooltip().length() <= TraySummary.MAX_TOOLTIP, s.tooltip());
        assertTrue(s.tooltip().endsWith("…"));
    }

    static dev.nexus.services.engine.ServiceSnapshot withEnabled(dev.nexus.services.engine.ServiceSnapshot s, boolean on) {
        return new dev.nexus.services.engine.ServiceSnapshot(s.name(), s.displayName(), s.kind(), s.manager(), on,
                s.lifecycle(), s.health(), s.status(), s.failure(), s.message(), s.pid(), s.startedAt(), s.restarts(),
                s.lastExit(), s.lastExitAt(), s.latencyMs(), s.nextRestartAt(), s.attempt(), s.detail(), s.children(),
                s.job());
    }
}

package dev.nexus.services.tray.model;

import static dev.nexus.services.tray.model.Snapshots.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StateTextTest {
    @Test
    void healthyShowsLatencyAndCoarseUptime() {
        RowText t = StateText.of(Snapshots.healthy("gateway"), NOW);
        assertEquals("Healthy · 12 ms · up 3 h", t.summary());
        assertEquals("Healthy", t.shortSummary());
        assertNull(t.action());
    }

    @Test
    void backoffCountsDownWholeSecondsRoundedUpWithTheAttempt() {
        RowText t = StateText.of(Snapshots.backoff("cloud", NOW.plusMillis(7_200), 3), NOW);
        assertEquals("Restarting in 8 s (attempt 3)", t.summary());
        assertEquals("Restarting (attempt 3)", t.shortSummary());
        assertEquals("Restarting now (attempt 3)", StateText.of(Snapshots.backoff("cloud", NOW, 3), NOW).summary());
        assertEquals("Restarting in 4 min (attempt 6)",
                StateText.of(Snapshots.backoff("cloud", NOW.plusSeconds(250), 6), NOW).summary());
    }

    @Test
    void crashLoopOffersRetryNow() {
        RowText t = StateText.of(Snapshots.daemon("cloud", Lifecycle.CRASH_LOOP, Health.UNKNOWN), NOW);
        assertEquals("Crash loop — Retry now", t.text());
        assertEquals(RowAction.RETRY_NOW, t.action());
    }

    @Test
    void stoppedStartingStoppingAndDisabled() {
        assertEquals("Stopped", StateText.of(Snapshots.stopped("hub"), NOW).text());
        assertEquals("Starting…", StateText.of(Snapshots.daemon("hub", Lifecycle.STARTING, Health.STARTING), NOW).text());
        assertEquals("Starting…", StateText.of(Snapshots.daemon("hub", Lifecycle.RUNNING, Health.STARTING), NOW).text());
        assertEquals("Stopping…", StateText.of(Snapshots.daemon("hub", Lifecycle.STOPPING, Health.UNKNOWN), NOW).text());
        assertEquals("Disabled", StateText.of(Snapshots.disabled("collab"), NOW).text());
    }

    @Test
    void failuresSayWhatIsWrongInWords() {
        assertEquals("Not installed: nexus not found on PATH", StateText.of(Snapshots.failed("gateway",
                "binary_missing", "nexus not found on PATH (/usr/bin:/bin)"), NOW).text());
        RowText credentials = StateText.of(Snapshots.failed("cloud", "credentials", "nexus-cloud/default missing"), NOW);
        assertEquals("Waiting for credentials", credentials.summary());
        assertEquals(RowAction.SET_CREDENTIAL, credentials.action());
        assertEquals("Port in use: port 18789 is held by pid 77 (python3)", StateText.of(Snapshots.failed("gateway",
                "port_in_use", "port 18789 is held by pid 77 (python3)"), NOW).text());
        assertEquals("Configuration error: exit 78", StateText.of(Snapshots.failed("gateway", "config", "exit 78"),
                NOW).text());
        assertEquals("Did not start in time", StateText.of(Snapshots.failed("gateway", "start_timeout", "x"), NOW).text());
    }

    @Test
    void degradedAndDownCarryTheEngineMessage() {
        assertEquals("Down · connection refused",
                StateText.of(Snapshots.unhealthy("cloud", "connection refused"), NOW).text());
        assertEquals("Degraded · HTTP 429", StateText.of(
                Snapshots.with(Snapshots.daemon("cloud", Lifecycle.RUNNING, Health.DEGRADED), "HTTP 429"), NOW).text());
    }

    @Test
    void jobsShowTheirLastResult() {
        assertEquals("3 updates available", StateText.of(Snapshots.job("hub", 3), NOW).text());
        assertEquals("1 update available", StateText.of(Snapshots.job("hub", 1), NOW).text());
        assertEquals("Up to date", StateText.of(Snapshots.job("hub", 0), NOW).text());
    }

    @Test
    void coarseUptimeUsesOneUnit() {
        assertEquals("12 s", StateText.coarse(Duration.ofSeconds(12)));
        assertEquals("5 min", StateText.coarse(Duration.ofSeconds(330)));
        assertEquals("3 h", StateText.coarse(Duration.ofMinutes(200)));
        assertEquals("2 d", StateText.coarse(Duration.ofHours(50)));
    }
}

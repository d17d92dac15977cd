package dev.nexus.services.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.engine.WakeRecovery;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    private static ServiceSnapshot service(String name, boolean enabled, Lifecycle l, Health h, String failure,
                                           String message, Long pid, List<ServiceSnapshot.ChildSnapshot> children) {
        return new ServiceSnapshot(name, name, "daemon", "embedded", enabled, l, h, DisplayStatus.of(l, h), failure,
                message, pid, pid == null ? null : NOW.minusSeconds(3 * 3600 + 300), pid == null ? 0 : 2,
                pid == null ? null : "exit 137 (SIGKILL)", null, pid == null ? null : 12L, null, 0, null, children, null);
    }

    private static final EngineSnapshot SNAPSHOT = new EngineSnapshot(1,
            new EngineSnapshot.EngineInfo(99L, "0.1.0", NOW.minusSeconds(60), true, "/x/services.json", true, List.of(), null),
            List.of(service("gateway", true, Lifecycle.RUNNING, Health.HEALTHY, null, "handshake + pong", 4242L,
                            List.of(new ServiceSnapshot.ChildSnapshot("bridge", "Bridge", DisplayStatus.DOWN,
                                    "connection refused (127.0.0.1:18790)", null))),
                    service("cloud", true, Lifecycle.FAILED, Health.UNKNOWN, "binary_missing",
                            "nexus not found on PATH (/usr/bin)", null, List.of()),
                    service("collab", false, Lifecycle.STOPPED, Health.UNKNOWN, null, "disabled", null, List.of())),
            NOW);

    @Test
    void plainOutputIsAlignedWithoutEscapeCodes() {
        String text = StatusTable.render(SNAPSHOT, Terminal.plain());
        assertFalse(text.contains("\u001b"), "no colour when piped");
        List<String> lines = text.lines().toList();
        assertEquals("Engine: running (pid 99, up 1 min, version 0.1.0)", lines.get(0));
        int stateColumn = lines.get(1).indexOf("STATE");
        assertEquals(stateColumn, lines.get(2).indexOf("running"), "columns line up:\n" + text);
        assertEquals(stateColumn, lines.get(4).indexOf("failed (binary_missing)"), text);
        assertTrue(lines.get(2).startsWith("✔ gateway"), lines.get(2));
        assertTrue(lines.get(2).contains("4242") && lines.get(2).contains("3 h 5 min")
                && lines.get(2).contains("exit 137 (SIGKILL)") && lines.get(2).contains("12 ms"), lines.get(2));
        assertTrue(lines.get(3).contains("└ bridge") && lines.get(3).contains("down")
                && lines.get(3).contains("connection refused"), lines.get(3));
        assertTrue(lines.get(4).startsWith("✖ cloud") && lines.get(4).endsWith("nexus not found on PATH (/usr/bin)"));
        assertTrue(lines.get(5).startsWith("■ collab"));
        assertEquals("1 healthy, 1 down (cloud)", lines.get(6), "disabled services are not counted");
    }

    @Test
    void colourOnATerminalKeepsTheBadge() {
        String text = StatusTable.render(SNAPSHOT, new Terminal(true, true, 200));
        assertTrue(text.contains("\u001b[32m✔\u001b[0m gateway"), text);
        assertTrue(text.contains("\u001b[31m✖\u001b[0m cloud"), text);
    }

    @Test
    void aNarrowTerminalCutsLongLinesVisibly() {
        String text = StatusTable.render(SNAPSHOT, new Terminal(true, false, 80));
        assertTrue(text.lines().allMatch(l -> l.length() <= 80), text);
        assertTrue(text.contains("…"));
    }

    @Test
    void withoutAnEngineItSaysSupervisionIsOff() {
        EngineSnapshot offline = new EngineSnapshot(1, new EngineSnapshot.EngineInfo(null, "0.1.0", null, false,
                "/x/services.json", false, List.of("services.json:3:5: /services/0/port: must be between 1 and 65535, got 0"),
                "engine not running"), List.of(), NOW);
        String text = StatusTable.render(offline, Terminal.plain());
        assertTrue(text.startsWith("Engine: not running — supervision is off"), text);
        assertTrue(text.contains("warning: services.json:3:5:"), text);
        assertEquals("No enabled services.", text.lines().reduce((a, b) -> b).orElseThrow());
    }

    @Test
    void allHealthyCountsOnlyEnabledServices() {
        assertFalse(StatusTable.allHealthy(SNAPSHOT.services()));
        assertTrue(StatusTable.allHealthy(List.of(SNAPSHOT.services().get(2))));
    }

    private static EngineSnapshot withPower(java.time.Instant sleptAt, java.time.Instant wokeAt, java.time.Instant graceUntil,
                                            WakeRecovery recovery) {
        EngineSnapshot.EngineInfo e = SNAPSHOT.engine();
        return new EngineSnapshot(1, new EngineSnapshot.EngineInfo(e.pid(), e.version(), e.startedAt(), true,
                e.catalogFile(), true, List.of(), null, sleptAt, wokeAt, graceUntil, recovery), SNAPSHOT.services(), NOW);
    }

    @Test
    void theLastWakeAndWhatRecoveryDidAreShownUnderTheEngineLine() {
        Instant slept = NOW.minusSeconds(7200);
        Instant woke = NOW.minusSeconds(60);
        WakeRecovery recovery = new WakeRecovery(slept, woke, "logind", woke.plusSeconds(30), true,
                List.of("gateway", "cloud", "hub", "collab"), List.of(), List.of(),
                List.of(new WakeRecovery.Restart("cloud", "liveness failed after grace", "connection refused",
                        woke.plusSeconds(30))),
                "4 probed, 1 restarted (cloud: liveness failed after grace)");

        List<String> lines = StatusTable.render(withPower(slept, woke, null, recovery), Terminal.plain(),
                ZoneId.of("Europe/Berlin")).lines().toList();

        assertEquals("Last wake: woke 12:59:00 after 1 h 59 min asleep (logind): 4 probed, 1 restarted "
                + "(cloud: liveness failed after grace)", lines.get(1));
        assertTrue(lines.get(2).startsWith("  SERVICE"), lines.get(2));
    }

    @Test
    void duringTheGraceItSaysWakingUpUntilWhen() {
        Instant woke = NOW.minusSeconds(5);
        WakeRecovery recovery = new WakeRecovery(null, woke, "clock", woke.plusSeconds(30), false,
                List.of("gateway"), List.of("gateway"), List.of(), List.of(), "1 probed, 1 reconnected");

        String line = StatusTable.powerLine(withPower(null, woke, woke.plusSeconds(30), recovery), ZoneId.of("UTC"));

        assertEquals("Waking up: woke 11:59:55 (clock): 1 probed, 1 reconnected; failures do not restart anything "
                + "until 12:00:25", line);
    }

    @Test
    void aWakeOnAnotherDayShowsTheDateAndASleepInProgressSaysSo() {
        Instant woke = NOW.minusSeconds(2 * 86400);
        WakeRecovery recovery = new WakeRecovery(null, woke, "logind", woke.plusSeconds(30), true, List.of(), List.of(),
                List.of(), List.of(), "0 probed, none restarted");
        assertEquals("Last wake: woke 2026-11-21 12:00:00 (logind): 0 probed, none restarted",
                StatusTable.powerLine(withPower(null, woke, null, recovery), ZoneId.of("UTC")));
        assertEquals("Going to sleep since 11:59:59: probes paused",
                StatusTable.powerLine(withPower(NOW.minusSeconds(1), woke, null, recovery), ZoneId.of("UTC")));
        assertEquals(null, StatusTable.powerLine(SNAPSHOT, ZoneId.of("UTC")), "nothing before the first sleep");
    }

    @Test
    void theSnapshotWithItsSleepWakeFieldsSurvivesJson() throws Exception {
        Instant woke = NOW.minusSeconds(5);
        WakeRecovery recovery = new WakeRecovery(NOW.minusSeconds(500), woke, "logind", woke.plusSeconds(30), false,
                List.of("gateway"), List.of(), List.of("hub"),
                List.of(new WakeRecovery.Restart("cloud", "liveness failed after grace", "timeout", woke)), "x");
        EngineSnapshot before = withPower(NOW.minusSeconds(500), woke, woke.plusSeconds(30), recovery);
        String json = dev.nexus.services.support.Json.MAPPER.writeValueAsString(before);
        EngineSnapshot after = dev.nexus.services.support.Json.MAPPER.readValue(json, EngineSnapshot.class);
        assertEquals(before.engine(), after.engine());
        assertTrue(json.contains("\"wakeGraceUntil\""), json);
        // An older engine's snapshot (no such fields) still reads, with them null.
        String old = json.replaceAll(",\"lastSleepAt\".*?,\"lastRecovery\":\\{.*?\"summary\":\"x\"\\}", "");
        EngineSnapshot.EngineInfo oldInfo = dev.nexus.services.support.Json.MAPPER.readValue(old, EngineSnapshot.class).engine();
        assertEquals(null, oldInfo.lastRecovery(), old);
        assertEquals(null, oldInfo.wakeGraceUntil());
    }
}

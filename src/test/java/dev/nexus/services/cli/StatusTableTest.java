package dev.nexus.services.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import java.time.Instant;
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
}

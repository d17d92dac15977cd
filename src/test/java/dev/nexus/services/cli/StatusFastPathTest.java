package dev.nexus.services.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forms of {@code status} run without picocli, and the JSON-tree side of status --json. */
class StatusFastPathTest {
    private static final String SNAPSHOT = """
            {"version": 1, "engine": {"pid": 42, "supervising": true},
             "services": [
               {"name": "gateway", "enabled": true, "status": "HEALTHY", "extra": {"kept": [1, 2]}},
               {"name": "cloud", "enabled": true, "status": "DOWN"},
               {"name": "collab", "enabled": false, "status": "STOPPED"}],
             "at": "2025-01-01T00:00:00Z"}""";

    @Test
    void plainFormsAreRecognised() {
        assertEquals(List.of(), Main.plainStatus("status"));
        assertEquals(List.of(), Main.plainStatus("status", "--json"));
        assertEquals(List.of("gateway", "hub.v2", "a_b-c"), Main.plainStatus("status", "gateway", "--json", "hub.v2",
                "a_b-c"));
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        assertNull(Main.plainStatus());
        assertNull(Main.plainStatus("start", "gateway"));
        assertNull(Main.plainStatus("status", "--watch"));
        assertNull(Main.plainStatus("status", "--json", "--json"), "picocli reports the repeated flag");
        assertNull(Main.plainStatus("status", "--"));
        assertNull(Main.plainStatus("status", "@args.txt"));
        assertNull(Main.plainStatus("status", "-h"));
        assertNull(Main.plainStatus("status", ""));
        assertNull(Main.plainStatus("status", "gate way"));
        assertNull(Main.plainStatus("status", "--json=true"));
    }

    @Test
    void namedSubcommandGetsOnlyItsOwnModel() {
        assertEquals(List.of(StatusCommand.class), Main.subcommandsFor("status", "--watch"));
        assertEquals(List.of(DaemonCommand.class), Main.subcommandsFor("daemon", "stop"));
        assertSame(Main.SUBCOMMANDS, Main.subcommandsFor());
        assertSame(Main.SUBCOMMANDS, Main.subcommandsFor("help", "status"));
        assertSame(Main.SUBCOMMANDS, Main.subcommandsFor("--version"));
        assertSame(Main.SUBCOMMANDS, Main.subcommandsFor("statu"));
    }

    @Test
    void jsonFilterKeepsTheNamedServicesInCatalogOrderAndEverythingElse() throws Exception {
        JsonNode snapshot = Json.MAPPER.readTree(SNAPSHOT);
        JsonNode only = StatusCommand.onlyJson(snapshot, List.of("collab", "gateway"));
        assertEquals(List.of("version", "engine", "services", "at"), fieldNames(only));
        assertEquals(2, only.path("services").size());
        assertEquals("gateway", only.path("services").get(0).path("name").asText());
        assertEquals("collab", only.path("services").get(1).path("name").asText());
        assertEquals(snapshot.path("services").get(0), only.path("services").get(0));
        assertEquals(3, snapshot.path("services").size(), "the reply itself is not changed");
        assertSame(snapshot, StatusCommand.onlyJson(snapshot, List.of()));
    }

    @Test
    void jsonFilterNamesUnknownServicesAndTheKnownOnes() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StatusCommand.onlyJson(Json.MAPPER.readTree(SNAPSHOT), List.of("gateway", "nope")));
        assertEquals("unknown service nope (known: gateway, cloud, collab)", e.getMessage());
    }

    @Test
    void jsonHealthCountsEnabledServicesOnly() throws Exception {
        JsonNode snapshot = Json.MAPPER.readTree(SNAPSHOT);
        assertFalse(StatusCommand.allHealthyJson(snapshot), "cloud is down");
        assertTrue(StatusCommand.allHealthyJson(StatusCommand.onlyJson(snapshot, List.of("gateway", "collab"))),
                "collab is disabled, so only gateway counts");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

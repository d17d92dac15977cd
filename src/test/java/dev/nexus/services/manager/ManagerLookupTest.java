package dev.nexus.services.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.engine.StandInServiceManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which manager a daemon's "manager" means here. */
class ManagerLookupTest {
    @TempDir
    Path dir;

    @Test
    void embeddedOnlyRunsEverythingEmbeddedAndSaysWhyTheOthersAreNot() {
        ManagerLookup lookup = ManagerLookup.EMBEDDED_ONLY;
        for (ManagerKind kind : ManagerKind.values()) {
            assertEquals(ManagerKind.EMBEDDED, lookup.effectiveKind(kind), kind.id());
        }
        assertEquals(Optional.empty(), lookup.unavailableReason(ManagerKind.AUTO));
        assertEquals(Optional.empty(), lookup.unavailableReason(ManagerKind.EMBEDDED));
        assertEquals(Optional.of("systemd is not supported on this system"),
                lookup.unavailableReason(ManagerKind.SYSTEMD));
    }

    @Test
    void autoPicksTheFirstUsableInItsOrderAndAnUnusableKindMeansEmbedded() throws Exception {
        try (StandInServiceManager launchd = new StandInServiceManager(ManagerKind.LAUNCHD, dir.resolve("l"), Duration.ZERO);
             StandInServiceManager systemd = new StandInServiceManager(ManagerKind.SYSTEMD, dir.resolve("s"), Duration.ZERO);
             StandInServiceManager task = new StandInServiceManager(ManagerKind.WINDOWS_TASK, dir.resolve("w"), Duration.ZERO)) {
            launchd.makeUnavailable("not macOS");
            ManagerLookup lookup = ManagerLookup.of(List.of(launchd, systemd, task),
                    List.of(ManagerKind.LAUNCHD, ManagerKind.SYSTEMD));

            assertEquals(ManagerKind.SYSTEMD, lookup.effectiveKind(ManagerKind.AUTO));
            assertEquals(ManagerKind.EMBEDDED, lookup.effectiveKind(ManagerKind.LAUNCHD));
            assertEquals(Optional.of("not macOS"), lookup.unavailableReason(ManagerKind.LAUNCHD));
            assertEquals(ManagerKind.WINDOWS_TASK, lookup.effectiveKind(ManagerKind.WINDOWS_TASK),
                    "usable when named, though auto never picks it");
            assertEquals(ManagerKind.EMBEDDED, lookup.effectiveKind(ManagerKind.EMBEDDED));

            systemd.makeUnavailable("no systemd user manager: Failed to connect to bus");
            assertEquals(ManagerKind.EMBEDDED, lookup.effectiveKind(ManagerKind.AUTO), "asked again each time");
            assertEquals(ManagerKind.EMBEDDED, lookup.effectiveKind(ManagerKind.SYSTEMD));
            assertEquals(Optional.of(systemd), lookup.manager(ManagerKind.SYSTEMD), "unusable, but there");
        }
    }

    @Test
    void twoManagersOfOneKindAreRefused() throws Exception {
        try (StandInServiceManager a = new StandInServiceManager(ManagerKind.SYSTEMD, dir.resolve("a"), Duration.ZERO);
             StandInServiceManager b = new StandInServiceManager(ManagerKind.SYSTEMD, dir.resolve("b"), Duration.ZERO)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ManagerLookup.of(List.of(a, b), List.of()));
            assertTrue(e.getMessage().startsWith("two systemd managers"), e.getMessage());
        }
    }
}

package dev.nexus.services.manager.systemd;

import dev.nexus.services.manager.Golden;
import static dev.nexus.services.manager.systemd.LinuxFixtures.adaContext;
import static dev.nexus.services.manager.systemd.LinuxFixtures.daemon;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.manager.ManagerContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every unit variant against its golden file, and the rules that decide between variants. */
class SystemdUnitsGoldenTest {
    private final ManagerContext ada = adaContext();

    @Test
    void gatewayOnSystemd252() throws Exception {
        ServiceSpec gateway = daemon(ada.paths(), "gateway", "Gateway", List.of());
        Golden.assertMatches("linux/nexus-gateway.systemd252.service", SystemdUnits.serviceUnit(gateway, ada, 252, Set.of()));
    }

    @Test
    void cloudAfterAGatewayThatSystemdRunsOn252And254() throws Exception {
        ServiceSpec cloud = daemon(ada.paths(), "cloud", "Nexus Cloud", List.of("gateway", "hub"));
        // hub depends but is run by the engine: no ordering on a unit that is not (or must not be) there.
        Golden.assertMatches("linux/nexus-cloud.after-gateway.systemd252.service",
                SystemdUnits.serviceUnit(cloud, ada, 252, Set.of("gateway")));
        Golden.assertMatches("linux/nexus-cloud.after-gateway.systemd254.service",
                SystemdUnits.serviceUnit(cloud, ada, 254, Set.of("gateway")));
    }

    @Test
    void cloudWithoutSystemdManagedDependenciesHasNoOrdering() {
        ServiceSpec cloud = daemon(ada.paths(), "cloud", "Nexus Cloud", List.of("gateway"));
        String unit = SystemdUnits.serviceUnit(cloud, ada, 254, Set.of());
        assertFalse(unit.contains("After="), unit);
        assertFalse(unit.contains("Wants="), unit);
    }

    @Test
    void oldSystemdLogsToTheJournalAndRunsTypeSimple() throws Exception {
        ServiceSpec gateway = daemon(ada.paths(), "gateway", "Gateway", List.of());
        String unit = SystemdUnits.serviceUnit(gateway, ada, 239, Set.of());
        Golden.assertMatches("linux/nexus-gateway.systemd239.service", unit);
        assertTrue(SystemdUnits.logsToJournal(239));
        assertFalse(SystemdUnits.logsToJournal(240));
        assertFalse(unit.contains("append:"), unit);
    }

    @Test
    void pathsWithSpacesPercentDollarAndQuotes() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/home/ada/My Tools/bin:/usr/bin:/bin");
        env.put("NEXUS_ROOT", "/home/ada/Nexus 100% \"mine\" $HOME");
        env.put("LANG", "de_DE.UTF-8");
        Path root = Path.of("/home/ada/Nexus 100% \"mine\" $HOME");
        ManagerContext odd = LinuxFixtures.context(root, Path.of("/home/ada"),
                Path.of("/home/ada/Apps 50%/nexus $x/bin/nexus-services"), env);
        ServiceSpec base = daemon(odd.paths(), "odd-one", "Odd 100% one", List.of());
        ServiceSpec spec = new ServiceSpec(base.name(), base.displayName(), base.kind(), true, base.command(),
                Path.of("/home/ada/work dir/it's \\ here"), Map.of(), ManagerKind.SYSTEMD, List.of(), null, Probes.NONE,
                RestartSpec.DEFAULT, ServiceSpec.DEFAULT_STOP_TIMEOUT, base.log(), List.of(), null, null);
        Golden.assertMatches("linux/nexus-odd-one.odd-paths.systemd254.service", SystemdUnits.serviceUnit(spec, odd, 254, Set.of()));
    }

    @Test
    void catalogBackoffBecomesRestartStepsAndMilliseconds() throws Exception {
        ServiceSpec base = daemon(ada.paths(), "hub", "Hub", List.of());
        ServiceSpec spec = new ServiceSpec(base.name(), base.displayName(), base.kind(), true, base.command(), null,
                Map.of(), ManagerKind.SYSTEMD, List.of(), null, Probes.NONE,
                LinuxFixtures.backoff(RestartSpec.Mode.ALWAYS, Duration.ofMillis(500), 1.5, Duration.ofSeconds(30)),
                Duration.ofMillis(2500), null, List.of(), null, null);
        // No workingDir and no log spec: the Nexus home and the default log files.
        Golden.assertMatches("linux/nexus-hub.custom-backoff.systemd254.service", SystemdUnits.serviceUnit(spec, ada, 254, Set.of()));
    }

    @Test
    void restartNeverWritesNoDelays() {
        ServiceSpec base = daemon(ada.paths(), "hub", "Hub", List.of());
        ServiceSpec spec = new ServiceSpec(base.name(), base.displayName(), base.kind(), true, base.command(), null,
                Map.of(), ManagerKind.SYSTEMD, List.of(), null, Probes.NONE,
                LinuxFixtures.backoff(RestartSpec.Mode.NEVER, Duration.ofSeconds(1), 2, Duration.ofSeconds(60)),
                Duration.ofSeconds(10), null, List.of(), null, null);
        String unit = SystemdUnits.serviceUnit(spec, ada, 255, Set.of());
        assertTrue(unit.contains("\nRestart=no\n"), unit);
        assertFalse(unit.contains("RestartSec"), unit);
        assertFalse(unit.contains("RestartSteps"), unit);
    }

    @Test
    void engineUnit() throws Exception {
        Golden.assertMatches("linux/nexus-services.systemd252.service", SystemdUnits.engineUnit(ada, 252));
        Golden.assertMatches("linux/nexus-services.systemd239.service", SystemdUnits.engineUnit(ada, 239));
    }

    @Test
    void restartStepsReachTheCapWhenOurBackoffDoes() {
        RestartSpec.Mode on = RestartSpec.Mode.ON_FAILURE;
        // 1 s × 2^6 = 64 s ≥ 60 s: our backoff reaches the cap at the 6th restart, so does systemd's.
        assertEquals(6, SystemdUnits.restartSteps(RestartSpec.DEFAULT));
        assertEquals(6, SystemdUnits.restartSteps(LinuxFixtures.backoff(on, Duration.ofSeconds(1), 2, Duration.ofSeconds(64))));
        assertEquals(7, SystemdUnits.restartSteps(LinuxFixtures.backoff(on, Duration.ofSeconds(1), 2, Duration.ofSeconds(65))));
        assertEquals(1, SystemdUnits.restartSteps(LinuxFixtures.backoff(on, Duration.ofSeconds(1), 10, Duration.ofSeconds(2))));
        assertEquals(0, SystemdUnits.restartSteps(LinuxFixtures.backoff(on, Duration.ZERO, 2, Duration.ofSeconds(60))));
        assertEquals(0, SystemdUnits.restartSteps(LinuxFixtures.backoff(on, Duration.ofSeconds(5), 2, Duration.ofSeconds(5))));
        assertEquals(0, SystemdUnits.restartSteps(LinuxFixtures.backoff(on, Duration.ofSeconds(1), 1, Duration.ofSeconds(60))));
    }

    @Test
    void onlyDaemonsWithNexusNamesBecomeUnits() {
        ServiceSpec gateway = daemon(ada.paths(), "gateway", "Gateway", List.of());
        ServiceSpec connection = new ServiceSpec("collab", "Collab", ServiceKind.CONNECTION, true, List.of(), null,
                Map.of(), ManagerKind.SYSTEMD, List.of(), null, Probes.NONE, RestartSpec.DEFAULT,
                ServiceSpec.DEFAULT_STOP_TIMEOUT, null, List.of(), null, null);
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> SystemdUnits.serviceUnit(connection, ada, 254, Set.of()));
        assertEquals("collab is a connection; only a daemon can be kept running by systemd", kind.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SystemdUnits.unitName("../evil"));
        assertThrows(IllegalArgumentException.class, () -> SystemdUnits.unitName("Gateway"));
        assertEquals("nexus-gateway.service", SystemdUnits.unitName(gateway.name()));
    }

    @Test
    void aWorkingDirectoryThatCannotBeWrittenIsRefusedNamingIt() {
        ServiceSpec base = daemon(ada.paths(), "gateway", "Gateway", List.of());
        ServiceSpec spec = new ServiceSpec(base.name(), base.displayName(), base.kind(), true, base.command(),
                Path.of("/home/ada/two\nlines"), Map.of(), ManagerKind.SYSTEMD, List.of(), null, Probes.NONE,
                RestartSpec.DEFAULT, ServiceSpec.DEFAULT_STOP_TIMEOUT, base.log(), List.of(), null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SystemdUnits.serviceUnit(spec, ada, 254, Set.of()));
        assertTrue(e.getMessage().startsWith("WorkingDirectory cannot hold a path with a line break"), e.getMessage());
    }

    @Test
    void aLauncherPathSystemdRefusesIsRefusedHere() {
        ManagerContext quoted = LinuxFixtures.context(Path.of("/home/ada/nexus"), Path.of("/home/ada"),
                Path.of("/home/ada/it's/nexus-services"), Map.of());
        ServiceSpec gateway = daemon(quoted.paths(), "gateway", "Gateway", List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SystemdUnits.serviceUnit(gateway, quoted, 254, Set.of()));
        assertTrue(e.getMessage().contains("/home/ada/it's/nexus-services"), e.getMessage());
    }
}

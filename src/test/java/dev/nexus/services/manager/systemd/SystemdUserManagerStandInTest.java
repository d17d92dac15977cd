package dev.nexus.services.manager.systemd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.ManagedEnvironment;
import dev.nexus.services.manager.ManagedState;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.RecordingStandIn;
import dev.nexus.services.manager.SelfCommand;
import dev.nexus.services.manager.ToolCall;
import dev.nexus.services.support.NexusPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Install / uninstall round trips in a temp HOME against a recording STAND-IN for {@code systemctl} (the real
 * one must not touch this machine's user manager, and in a container there is none): exact command
 * sequences, idempotency, and files put back byte for byte when systemctl fails half way.
 */
class SystemdUserManagerStandInTest {
    private static final String UNIT = "nexus-cloud.service";

    @TempDir
    Path tmp;
    private Path home;
    private RecordingStandIn systemctl;
    private ManagerContext ctx;
    private SystemdUserManager manager;
    private ServiceSpec cloud;

    @BeforeEach
    void standInSystemctl() throws Exception {
        home = Files.createDirectories(tmp.resolve("home/ada"));
        Path bin = tmp.resolve("bin");
        systemctl = RecordingStandIn.create(bin, "systemctl")
                .reply(List.of("--version"), "systemd 254 (254.5-1)\n+PAM +AUDIT +SELINUX\n")
                .reply(List.of("--user", "is-enabled"), 1, "disabled\n", "")
                .reply(List.of("--user", "is-active"), 3, "inactive\n", "");
        NexusPaths paths = new NexusPaths(home.resolve("nexus"));
        ctx = new ManagerContext(paths, home, new SelfCommand(tmp.resolve("opt/nexus-services/bin/nexus-services")),
                ManagedEnvironment.of(paths, Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"), home, HostOs.LINUX),
                RecordingStandIn.runnerUsing(bin), 1000);
        manager = new SystemdUserManager(ctx, Map.of());
        cloud = LinuxFixtures.daemon(paths, "cloud", "Nexus Cloud", List.of("gateway"));
    }

    private Path unitFile() {
        return home.resolve(".config/systemd/user").resolve(UNIT);
    }

    private static List<String> user(String... args) {
        List<String> call = new ArrayList<>(List.of("--user"));
        call.addAll(List.of(args));
        return call;
    }

    @Test
    void installWritesTheUnitReloadsAndEnables_StandIn() throws Exception {
        InstallPlan plan = manager.install(cloud);

        assertEquals(List.of(List.of("--version"), user("daemon-reload"), user("enable", UNIT)), systemctl.calls());
        String expected = SystemdUnits.serviceUnit(cloud, ctx, 254, Set.of());
        assertEquals(expected, Files.readString(unitFile()));
        assertEquals(List.of(unitFile()), plan.write().stream().map(f -> f.path()).toList());
        assertEquals(List.of(ToolCall.of("systemctl", "--user", "daemon-reload"),
                ToolCall.of("systemctl", "--user", "enable", UNIT)), plan.commands());
        assertTrue(Files.isDirectory(ctx.paths().logs()), "systemd does not create the directory of append: logs");
    }

    @Test
    void planningTouchesNothing_StandIn() throws Exception {
        InstallPlan plan = manager.installPlan(cloud);
        assertFalse(plan.isEmpty());
        assertFalse(Files.exists(home.resolve(".config")), "a plan writes nothing");
        assertEquals(List.of(List.of("--version")), systemctl.calls(), "only the version is asked");
    }

    @Test
    void installingTheSameUnitAgainWritesAndRunsNothing_StandIn() throws Exception {
        manager.install(cloud);
        systemctl.reply(user("is-enabled", UNIT), 0, "enabled\n", "");
        FileTime written = Files.getLastModifiedTime(unitFile());
        int before = systemctl.calls().size();

        InstallPlan again = manager.install(cloud);

        assertTrue(again.isEmpty(), again.toString());
        assertEquals(List.of(user("is-enabled", UNIT)), systemctl.calls().subList(before, systemctl.calls().size()));
        assertEquals(written, Files.getLastModifiedTime(unitFile()));
    }

    @Test
    void anUnchangedUnitThatWasDisabledIsOnlyEnabled_StandIn() throws Exception {
        manager.install(cloud);
        int before = systemctl.calls().size();

        InstallPlan again = manager.install(cloud);

        assertEquals(List.of(), again.write());
        assertEquals(List.of(ToolCall.of("systemctl", "--user", "enable", UNIT)), again.commands());
        assertEquals(List.of(user("is-enabled", UNIT), user("enable", UNIT)),
                systemctl.calls().subList(before, systemctl.calls().size()));
    }

    @Test
    void whenEnableFailsTheOlderUnitIsPutBackExactly_StandIn() throws Exception {
        byte[] older = "# an older unit\r\n[Service]\nExecStart=/old/nexus-services exec cloud\n\u00e9\n"
                .getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(unitFile().getParent());
        Files.write(unitFile(), older);
        systemctl.reply(user("enable"), 1, "", "Failed to enable unit: Unit file nexus-cloud.service is masked.\n");

        ManagerException e = assertThrows(ManagerException.class, () -> manager.install(cloud));

        assertEquals("`systemctl --user enable nexus-cloud.service` failed (exit 1): Failed to enable unit: Unit file"
                + " nexus-cloud.service is masked.", e.getMessage());
        assertArrayEquals(older, Files.readAllBytes(unitFile()));
        assertEquals(List.of(List.of("--version"), user("daemon-reload"), user("enable", UNIT), user("daemon-reload")),
                systemctl.calls(), "systemd reloads the restored unit");
    }

    @Test
    void whenDaemonReloadFailsANewUnitIsRemovedAgain_StandIn() throws Exception {
        systemctl.reply(user("daemon-reload"), 1, "", "Failed to reload daemon: Access denied\n");

        ManagerException e = assertThrows(ManagerException.class, () -> manager.install(cloud));

        assertEquals("`systemctl --user daemon-reload` failed (exit 1): Failed to reload daemon: Access denied",
                e.getMessage());
        assertFalse(Files.exists(unitFile()));
        assertEquals(List.of(List.of("--version"), user("daemon-reload"), user("daemon-reload")), systemctl.calls());
    }

    @Test
    void uninstallStopsDisablesRemovesAndReloads_StandIn() throws Exception {
        manager.install(cloud);
        systemctl.reply(user("is-enabled", UNIT), 0, "enabled\n", "").reply(user("is-active", UNIT), 0, "active\n", "");
        int before = systemctl.calls().size();

        InstallPlan plan = manager.uninstall("cloud");

        assertEquals(List.of(user("is-enabled", UNIT), user("is-active", UNIT), user("stop", UNIT), user("disable", UNIT),
                user("daemon-reload"), user("reset-failed", UNIT)), systemctl.calls().subList(before, systemctl.calls().size()));
        assertFalse(Files.exists(unitFile()));
        assertEquals(List.of(unitFile()), plan.remove());
        assertEquals(List.of(ToolCall.tolerant("systemctl", "--user", "stop", UNIT),
                ToolCall.of("systemctl", "--user", "disable", UNIT),
                ToolCall.of("systemctl", "--user", "daemon-reload"),
                ToolCall.tolerant("systemctl", "--user", "reset-failed", UNIT)), plan.commands());
    }

    @Test
    void uninstallingWhatIsNotInstalledIsFineAndRunsNothing_StandIn() throws Exception {
        InstallPlan plan = manager.uninstall("cloud");
        assertTrue(plan.isEmpty());
        assertEquals(List.of(), systemctl.calls());
    }

    @Test
    void uninstallOfAUnitSystemdNoLongerHasLoadedStillRemovesIt_StandIn() throws Exception {
        manager.install(cloud);
        systemctl.reply(user("stop"), 5, "", "Failed to stop nexus-cloud.service: Unit nexus-cloud.service not loaded.\n");

        manager.uninstall("cloud");

        assertFalse(Files.exists(unitFile()));
    }

    @Test
    void whenReloadFailsDuringUninstallTheUnitComesBackEnabledAndStarted_StandIn() throws Exception {
        manager.install(cloud);
        byte[] installed = Files.readAllBytes(unitFile());
        systemctl.reply(user("is-enabled", UNIT), 0, "enabled\n", "").reply(user("is-active", UNIT), 0, "active\n", "")
                .reply(user("daemon-reload"), 1, "", "Failed to reload daemon: Connection timed out\n");
        int before = systemctl.calls().size();

        ManagerException e = assertThrows(ManagerException.class, () -> manager.uninstall("cloud"));

        assertTrue(e.getMessage().startsWith("`systemctl --user daemon-reload` failed (exit 1)"), e.getMessage());
        assertArrayEquals(installed, Files.readAllBytes(unitFile()));
        assertEquals(List.of(user("is-enabled", UNIT), user("is-active", UNIT), user("stop", UNIT), user("disable", UNIT),
                user("daemon-reload"), user("daemon-reload"), user("enable", UNIT), user("start", UNIT)),
                systemctl.calls().subList(before, systemctl.calls().size()));
    }

    @Test
    void aStopThatFailsForRealStopsTheUninstallBeforeAnythingIsRemoved_StandIn() throws Exception {
        manager.install(cloud);
        systemctl.reply(user("stop"), 1, "", "Job for nexus-cloud.service canceled.\n");

        ManagerException e = assertThrows(ManagerException.class, () -> manager.uninstall("cloud"));

        assertEquals("`systemctl --user stop nexus-cloud.service` failed (exit 1): Job for nexus-cloud.service canceled.",
                e.getMessage());
        assertTrue(Files.exists(unitFile()));
    }

    @Test
    void dependenciesWhoseUnitsAreInstalledAreOrderedAfter_StandIn() throws Exception {
        ServiceSpec gateway = LinuxFixtures.daemon(ctx.paths(), "gateway", "Gateway", List.of());
        assertFalse(manager.installPlan(cloud).write().get(0).content().contains("After="));

        manager.install(gateway);

        String unit = manager.installPlan(cloud).write().get(0).content();
        assertTrue(unit.contains("\nAfter=nexus-gateway.service\nWants=nexus-gateway.service\n"), unit);
    }

    @Test
    void startStopRestartAndStateAskSystemctl_StandIn() throws Exception {
        systemctl.reply(user("show"), """
                MainPID=4242
                Result=success
                NRestarts=1
                ExecMainCode=0
                ExecMainStatus=0
                LoadState=loaded
                ActiveState=active
                SubState=running
                """);
        manager.start("cloud");
        manager.restart("cloud");
        manager.stop("cloud");
        ManagedState state = manager.state("cloud");

        assertEquals(List.of(user("start", UNIT), user("restart", UNIT), user("stop", UNIT),
                user("show", "-p", "LoadState,ActiveState,SubState,NRestarts,MainPID,ExecMainCode,ExecMainStatus,Result",
                        UNIT)), systemctl.calls());
        assertEquals(new ManagedState(true, true, OptionalLong.of(4242), OptionalInt.of(1), OptionalInt.empty(),
                "active (running)"), state);
    }

    @Test
    void aFailedStartNamesTheCommandAndSystemctlsWords_StandIn() throws Exception {
        systemctl.reply(user("start"), 5, "", "Failed to start nexus-cloud.service: Unit nexus-cloud.service not found.\n");
        ManagerException e = assertThrows(ManagerException.class, () -> manager.start("cloud"));
        assertEquals("`systemctl --user start nexus-cloud.service` failed (exit 5): Failed to start nexus-cloud.service:"
                + " Unit nexus-cloud.service not found.", e.getMessage());
    }

    @Test
    void availableOnlyWhenAUserManagerAnswers_StandIn() throws Exception {
        assertEquals(Optional.empty(), manager.unavailableReason());
        systemctl.reply(user("show-environment"), 1, "", "Failed to connect to bus: No medium found\n");
        assertEquals(Optional.of("no systemd user manager answers `systemctl --user show-environment` (exit 1):"
                + " Failed to connect to bus: No medium found"), manager.unavailableReason());
    }

    @Test
    void aMissingSystemctlIsAReasonNotAnError() {
        ManagerContext noTool = new ManagerContext(ctx.paths(), home, ctx.self(), ctx.environment(), (argv, timeout) -> {
            throw new java.io.IOException("Cannot run program \"" + argv.get(0) + "\": error=2, No such file or directory");
        }, 1000);
        assertEquals(Optional.of("no systemd user manager: Cannot run program \"systemctl\": error=2, No such file or"
                + " directory"), new SystemdUserManager(noTool, Map.of()).unavailableReason());
    }

    @Test
    void xdgConfigHomeMovesTheUnitDirectoryWhenAbsolute_StandIn() throws Exception {
        Path config = tmp.resolve("xdg config");
        SystemdUserManager moved = new SystemdUserManager(ctx, Map.of("XDG_CONFIG_HOME", config.toString()));
        moved.install(cloud);
        assertTrue(Files.exists(config.resolve("systemd/user").resolve(UNIT)));
        assertFalse(Files.exists(unitFile()));
        assertEquals(home.resolve(".config/systemd/user"),
                SystemdUserManager.unitDirectory(home, Map.of("XDG_CONFIG_HOME", "relative/config")));
        assertEquals(home.resolve(".config/systemd/user"), SystemdUserManager.unitDirectory(home, Map.of("XDG_CONFIG_HOME", "")));
    }

    @Test
    void theVersionIsAskedOnce_StandIn() throws Exception {
        assertEquals(254, manager.systemdVersion());
        assertEquals(254, manager.systemdVersion());
        assertEquals(List.of(List.of("--version")), systemctl.calls());
    }
}

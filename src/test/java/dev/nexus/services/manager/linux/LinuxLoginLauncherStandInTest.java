package dev.nexus.services.manager.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.ManagedEnvironment;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.RecordingStandIn;
import dev.nexus.services.manager.SelfCommand;
import dev.nexus.services.manager.ToolCall;
import dev.nexus.services.manager.systemd.SystemdUnits;
import dev.nexus.services.support.NexusPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Launch at login in a temp HOME, with a recording STAND-IN for {@code systemctl}: the tray's autostart entry,
 * the engine's user unit where a user manager answers and its autostart entry where none does.
 */
class LinuxLoginLauncherStandInTest {
    private static final String ENGINE = SystemdUnits.ENGINE_UNIT;

    @TempDir
    Path tmp;
    private Path home;
    private RecordingStandIn systemctl;
    private ManagerContext ctx;
    private LinuxLoginLauncher launcher;

    @BeforeEach
    void standInSystemctl() throws Exception {
        home = Files.createDirectories(tmp.resolve("home/ada"));
        Path bin = tmp.resolve("bin");
        systemctl = RecordingStandIn.create(bin, "systemctl")
                .reply(List.of("--version"), "systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT\n")
                .reply(List.of("--user", "show-environment"), "HOME=/home/ada\nLANG=C.UTF-8\n")
                .reply(List.of("--user", "is-enabled"), 1, "disabled\n", "");
        NexusPaths paths = new NexusPaths(home.resolve("nexus"));
        ctx = new ManagerContext(paths, home, new SelfCommand(tmp.resolve("opt/nexus-services/bin/nexus-services")),
                ManagedEnvironment.of(paths, Map.of("PATH", "/usr/bin:/bin"), home, HostOs.LINUX),
                RecordingStandIn.runnerUsing(bin), 1000);
        launcher = new LinuxLoginLauncher(ctx, Map.of());
    }

    private Path trayEntry() {
        return home.resolve(".config/autostart/nexus-services-tray.desktop");
    }

    private Path engineEntry() {
        return home.resolve(".config/autostart/nexus-services-engine.desktop");
    }

    private Path engineUnit() {
        return home.resolve(".config/systemd/user").resolve(ENGINE);
    }

    private static List<String> user(String... args) {
        List<String> call = new ArrayList<>(List.of("--user"));
        call.addAll(List.of(args));
        return call;
    }

    private void userManagerDoesNotAnswer() throws Exception {
        systemctl.reply(user("show-environment"), 1, "", "Failed to connect to bus: No medium found\n")
                .reply(user("is-enabled"), 1, "", "Failed to connect to bus: No medium found\n");
    }

    @Test
    void trayRoundTripUsesOnlyTheAutostartEntry_StandIn() throws Exception {
        assertFalse(launcher.isEnabled(LoginItem.TRAY));

        InstallPlan enabled = launcher.enable(LoginItem.TRAY);
        assertEquals(DesktopEntries.tray(ctx), Files.readString(trayEntry()));
        assertEquals(List.of(trayEntry()), enabled.write().stream().map(f -> f.path()).toList());
        assertTrue(launcher.isEnabled(LoginItem.TRAY));
        assertTrue(launcher.enable(LoginItem.TRAY).isEmpty(), "enabling twice does nothing");

        InstallPlan disabled = launcher.disable(LoginItem.TRAY);
        assertEquals(List.of(trayEntry()), disabled.remove());
        assertFalse(Files.exists(trayEntry()));
        assertFalse(launcher.isEnabled(LoginItem.TRAY));
        assertTrue(launcher.disable(LoginItem.TRAY).isEmpty(), "disabling twice does nothing");
        assertEquals(List.of(), systemctl.calls(), "the tray never involves systemd");
    }

    @Test
    void anEntryTheDesktopSwitchedOffCountsAsOffAndIsRewrittenOnEnable_StandIn() throws Exception {
        launcher.enable(LoginItem.TRAY);
        Files.writeString(trayEntry(), Files.readString(trayEntry())
                .replace("X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false"));
        assertFalse(launcher.isEnabled(LoginItem.TRAY));

        assertFalse(launcher.enable(LoginItem.TRAY).isEmpty());
        assertTrue(launcher.isEnabled(LoginItem.TRAY));
    }

    @Test
    void engineGoesThroughSystemdWhereAUserManagerAnswers_StandIn() throws Exception {
        Files.createDirectories(engineEntry().getParent());
        Files.writeString(engineEntry(), "[Desktop Entry]\nExec=old\n");

        InstallPlan plan = launcher.enable(LoginItem.ENGINE);

        assertEquals(List.of(user("show-environment"), List.of("--version"), user("daemon-reload"), user("enable", ENGINE)),
                systemctl.calls());
        assertEquals(SystemdUnits.engineUnit(ctx, 252), Files.readString(engineUnit()));
        assertFalse(Files.exists(engineEntry()), "the autostart entry from before would start a second engine");
        assertEquals(List.of(engineEntry()), plan.remove());

        systemctl.reply(user("is-enabled", ENGINE), 0, "enabled\n", "");
        assertTrue(launcher.isEnabled(LoginItem.ENGINE));
        int before = systemctl.calls().size();
        assertTrue(launcher.enable(LoginItem.ENGINE).isEmpty(), "enabling twice does nothing");
        assertEquals(List.of(user("show-environment"), user("is-enabled", ENGINE)),
                systemctl.calls().subList(before, systemctl.calls().size()));
    }

    @Test
    void disablingTheEngineDisablesTheUnitButNeitherStopsNorRemovesIt_StandIn() throws Exception {
        launcher.enable(LoginItem.ENGINE);
        systemctl.reply(user("is-enabled", ENGINE), 0, "enabled\n", "");
        int before = systemctl.calls().size();

        InstallPlan plan = launcher.disable(LoginItem.ENGINE);

        assertEquals(List.of(ToolCall.of("systemctl", "--user", "disable", ENGINE)), plan.commands());
        assertEquals(List.of(user("is-enabled", ENGINE), user("disable", ENGINE)),
                systemctl.calls().subList(before, systemctl.calls().size()));
        assertTrue(Files.exists(engineUnit()));
    }

    @Test
    void whenEnablingTheEngineUnitFailsEverythingIsPutBack_StandIn() throws Exception {
        byte[] entry = "[Desktop Entry]\nExec=nexus-services daemon --detached\n".getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(engineEntry().getParent());
        Files.write(engineEntry(), entry);
        systemctl.reply(user("enable"), 1, "", "Failed to enable unit: Access denied\n");

        ManagerException e = assertThrows(ManagerException.class, () -> launcher.enable(LoginItem.ENGINE));

        assertEquals("`systemctl --user enable nexus-services.service` failed (exit 1): Failed to enable unit: Access"
                + " denied", e.getMessage());
        assertFalse(Files.exists(engineUnit()));
        assertArrayEquals(entry, Files.readAllBytes(engineEntry()));
        assertEquals(user("daemon-reload"), systemctl.calls().get(systemctl.calls().size() - 1));
    }

    @Test
    void withoutAUserManagerTheEngineGetsAnAutostartEntry_StandIn() throws Exception {
        userManagerDoesNotAnswer();

        launcher.enable(LoginItem.ENGINE);

        assertEquals(DesktopEntries.engine(ctx), Files.readString(engineEntry()));
        assertFalse(Files.exists(engineUnit()));
        assertEquals(List.of(user("show-environment")), systemctl.calls());
        assertTrue(launcher.isEnabled(LoginItem.ENGINE));
        launcher.disable(LoginItem.ENGINE);
        assertFalse(Files.exists(engineEntry()));
        assertFalse(launcher.isEnabled(LoginItem.ENGINE));
    }

    @Test
    void anEnabledEngineUnitCountsEvenWhenSystemctlCannotBeAsked_StandIn() throws Exception {
        launcher.enable(LoginItem.ENGINE);
        userManagerDoesNotAnswer();
        assertFalse(launcher.isEnabled(LoginItem.ENGINE));
        // What `systemctl enable` makes: the link in default.target.wants.
        Path wants = Files.createDirectories(engineUnit().getParent().resolve("default.target.wants"));
        Files.createSymbolicLink(wants.resolve(ENGINE), engineUnit());
        assertTrue(launcher.isEnabled(LoginItem.ENGINE));
    }

    @Test
    void xdgConfigHomeMovesTheAutostartDirectory_StandIn() throws Exception {
        Path config = tmp.resolve("config");
        LinuxLoginLauncher moved = new LinuxLoginLauncher(ctx, Map.of("XDG_CONFIG_HOME", config.toString()));
        moved.enable(LoginItem.TRAY);
        assertTrue(Files.exists(config.resolve("autostart/nexus-services-tray.desktop")));
        assertEquals(config.resolve("systemd/user").resolve(ENGINE), moved.engineUnitFile());
        assertFalse(Files.exists(trayEntry()));
    }

    @Test
    void plansTouchNothing_StandIn() throws Exception {
        assertFalse(launcher.enablePlan(LoginItem.TRAY).isEmpty());
        assertFalse(launcher.enablePlan(LoginItem.ENGINE).isEmpty());
        assertFalse(Files.exists(home.resolve(".config")));
    }
}

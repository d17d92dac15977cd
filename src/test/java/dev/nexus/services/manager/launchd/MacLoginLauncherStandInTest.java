package dev.nexus.services.manager.launchd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.RecordingStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Launch at login on macOS against a STAND-IN launchctl, in a temp HOME. */
class MacLoginLauncherStandInTest {
    @TempDir
    Path home;
    RecordingStandIn launchctl;
    ManagerContext ctx;
    MacLoginLauncher login;

    @BeforeEach
    void setUp() throws Exception {
        Path bin = home.resolve("test-bin");
        launchctl = RecordingStandIn.create(bin, "launchctl");
        ctx = MacFixtures.standInContext(home, bin);
        login = new MacLoginLauncher(ctx, MacFixtures.FAST);
    }

    @Test
    void enablingTheEngineWritesItsAgentAndClearsADisabledOverrideWithoutStartingAnything() throws Exception {
        InstallPlan done = login.enable(LoginItem.ENGINE);

        Path plist = home.resolve("Library/LaunchAgents/dev.nexus.services.engine.plist");
        assertEquals(LaunchdPlists.engine(ctx), Files.readString(plist));
        assertEquals(List.of(List.of("enable", "gui/501/dev.nexus.services.engine")), launchctl.calls(),
                "no bootstrap: the engine the tray started keeps running, launchd takes over at the next login");
        assertEquals(login.enablePlan(LoginItem.ENGINE), done);
        assertTrue(login.isEnabled(LoginItem.ENGINE));
        assertFalse(login.isEnabled(LoginItem.TRAY));
        assertTrue(Files.isDirectory(ctx.paths().logs()));
    }

    @Test
    void disablingTheTrayRemovesItsAgentAndNeverBootsOutTheTrayThatRuns() throws Exception {
        login.enable(LoginItem.TRAY);
        Path plist = home.resolve("Library/LaunchAgents/dev.nexus.services.tray.plist");
        assertEquals(LaunchdPlists.tray(ctx), Files.readString(plist));

        InstallPlan done = login.disable(LoginItem.TRAY);

        assertFalse(Files.exists(plist));
        assertEquals(List.of(plist), done.remove());
        assertTrue(launchctl.calls().stream().noneMatch(c -> c.get(0).equals("bootout")),
                "a bootout would SIGTERM the tray the user is clicking in: " + launchctl.calls());
        assertFalse(login.isEnabled(LoginItem.TRAY));
    }

    @Test
    void enableAndDisableAreIdempotent() throws Exception {
        login.enable(LoginItem.TRAY);
        login.enable(LoginItem.TRAY);
        assertTrue(login.isEnabled(LoginItem.TRAY));

        login.disable(LoginItem.TRAY);
        InstallPlan second = login.disable(LoginItem.TRAY);
        assertTrue(second.isEmpty());
        assertFalse(login.isEnabled(LoginItem.TRAY));
    }

    @Test
    void aFailedEnableLeavesNoAgentBehind() throws Exception {
        launchctl.reply(List.of("enable"), 1, "", "Could not enable service: 1: Operation not permitted\n");

        ManagerException e = assertThrows(ManagerException.class, () -> login.enable(LoginItem.ENGINE));

        assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
        assertFalse(login.isEnabled(LoginItem.ENGINE));
    }

    @Test
    void noAgentHoldsASecret() throws Exception {
        login.enable(LoginItem.ENGINE);
        login.enable(LoginItem.TRAY);

        for (LoginItem item : LoginItem.values()) {
            assertFalse(Files.readString(login.plistPath(item)).contains(MacFixtures.CANARY), item.id());
        }
        assertTrue(launchctl.calls().stream().flatMap(List::stream).noneMatch(a -> a.contains(MacFixtures.CANARY)));
    }
}

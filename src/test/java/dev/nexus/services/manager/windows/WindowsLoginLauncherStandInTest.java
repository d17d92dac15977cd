package dev.nexus.services.manager.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Launch at login on Windows against STAND-IN schtasks and reg, in a temp HOME. */
class WindowsLoginLauncherStandInTest {
    @TempDir
    Path home;
    FakeTaskScheduler scheduler;

    @AfterEach
    void tearDown() throws Exception {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private WindowsLoginLauncher launcher(String task) throws Exception {
        Path bin = home.resolve("test-bin");
        scheduler = FakeTaskScheduler.create(bin, task).follow(Duration.ZERO);
        ManagerContext ctx = WinFixtures.standInContext(home, bin);
        return new WindowsLoginLauncher(ctx, WinFixtures.USER, WinFixtures.FAST);
    }

    @Test
    void enablingTheEngineRegistersItsLogonTaskWithoutRunningIt() throws Exception {
        WindowsLoginLauncher login = launcher(WindowsTasks.ENGINE_TASK);
        Path xml = login.taskFile(LoginItem.ENGINE);

        InstallPlan done = login.enable(LoginItem.ENGINE);
        scheduler.awaitSettled();

        assertEquals(List.of(List.of("/Create", "/TN", WindowsTasks.ENGINE_TASK, "/XML", xml.toString(), "/F")), scheduler.changes(),
                "no /Run: the engine that runs now keeps running, the task starts it at the next logon");
        TaskXmlDocs task = TaskXmlDocs.parse(Files.readAllBytes(xml));
        assertEquals("daemon", task.text("Actions/Exec/Arguments"));
        assertEquals("UTF-16", task.encoding());
        assertEquals(login.enablePlan(LoginItem.ENGINE), done);
        assertTrue(login.isEnabled(LoginItem.ENGINE));
    }

    @Test
    void disablingTheTrayDeletesItsTaskWithoutEndingTheTrayThatRuns() throws Exception {
        WindowsLoginLauncher login = launcher(WindowsTasks.TRAY_TASK);
        login.enable(LoginItem.TRAY);
        scheduler.awaitSettled();
        assertEquals("tray", TaskXmlDocs.parse(Files.readAllBytes(login.taskFile(LoginItem.TRAY))).text("Actions/Exec/Arguments"));

        login.disable(LoginItem.TRAY);
        scheduler.awaitSettled();

        assertFalse(Files.exists(login.taskFile(LoginItem.TRAY)));
        assertEquals(List.of("/Delete", "/TN", WindowsTasks.TRAY_TASK, "/F"), scheduler.changes().get(scheduler.changes().size() - 1));
        assertTrue(scheduler.changes().stream().noneMatch(c -> c.get(0).equals("/End")), scheduler.changes().toString());
        assertFalse(login.isEnabled(LoginItem.TRAY));
        assertTrue(login.disable(LoginItem.TRAY).isEmpty(), "disable is idempotent");
    }

    @Test
    void enablingForAnotherRootThanTheLogonEnvironmentsIsRefused() throws Exception {
        WindowsLoginLauncher login = launcher(WindowsTasks.ENGINE_TASK);
        scheduler.userVariable("NEXUS_ROOT", "REG_SZ", "D:\\nexus");

        ManagerException e = assertThrows(ManagerException.class, () -> login.enable(LoginItem.ENGINE));

        assertTrue(e.getMessage().contains("setx NEXUS_ROOT"), e.getMessage());
        assertFalse(Files.exists(login.taskFile(LoginItem.ENGINE)));
        assertEquals(List.of(), scheduler.changes());
    }

    @Test
    void aFailedCreateLeavesNoDefinitionBehind() throws Exception {
        WindowsLoginLauncher login = launcher(WindowsTasks.ENGINE_TASK);
        scheduler.schtasks.reply(List.of("/Create"), 1, "", "ERROR: Access is denied.\r\n");

        assertThrows(ManagerException.class, () -> login.enable(LoginItem.ENGINE));

        assertFalse(Files.exists(login.taskFile(LoginItem.ENGINE)));
    }
}

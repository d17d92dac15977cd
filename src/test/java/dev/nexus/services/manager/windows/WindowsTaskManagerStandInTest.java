package dev.nexus.services.manager.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.ManagedState;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WindowsTaskManager's schtasks sequences against STAND-IN schtasks and reg, in a temp HOME. */
class WindowsTaskManagerStandInTest {
    static final String TASK = "\\Nexus\\nexus-cloud";
    @TempDir
    Path home;
    ManagerContext ctx;
    FakeTaskScheduler scheduler;
    WindowsTaskManager manager;
    Path xml;

    @BeforeEach
    void setUp() throws Exception {
        Path bin = home.resolve("test-bin");
        ctx = WinFixtures.standInContext(home, bin);
        scheduler = FakeTaskScheduler.create(bin, TASK);
        manager = new WindowsTaskManager(ctx, HostOs.WINDOWS, WinFixtures.USER, WinFixtures.FAST);
        xml = ctx.paths().state().resolve("tasks/nexus-cloud.xml");
    }

    @AfterEach
    void tearDown() throws Exception {
        scheduler.close();
    }

    private ServiceSpec cloud() {
        return WinFixtures.daemon(ctx.paths(), "cloud");
    }

    private static List<String> create(Path file) {
        return List.of("/Create", "/TN", TASK, "/XML", file.toString(), "/F");
    }

    @Test
    void freshInstallWritesTheUtf16DefinitionThenCreatesAndRunsTheTask() throws Exception {
        scheduler.follow(Duration.ZERO);

        InstallPlan done = manager.install(cloud());

        byte[] bytes = Files.readAllBytes(xml);
        assertEquals(0xFF, bytes[0] & 0xFF);
        assertEquals(0xFE, bytes[1] & 0xFF);
        String content = new String(Arrays.copyOfRange(bytes, 2, bytes.length), StandardCharsets.UTF_16LE);
        assertEquals(manager.installPlan(cloud()).write().get(0).content(), content);
        assertEquals(List.of(ctx.self().launcher().toString(), "exec", "cloud"),
                List.of(TaskXmlDocs.parse(bytes).text("Actions/Exec/Command"), "exec", "cloud"));
        assertEquals("exec cloud", TaskXmlDocs.parse(bytes).text("Actions/Exec/Arguments"));
        assertEquals(List.of(List.of("/End", "/TN", TASK), create(xml), List.of("/Run", "/TN", TASK)), scheduler.changes());
        assertEquals(manager.installPlan(cloud()), done);
        assertEquals(List.of(List.of("query", UserEnvironment.USER_KEY, "/v", "NEXUS_ROOT"),
                List.of("query", UserEnvironment.MACHINE_KEY, "/v", "NEXUS_ROOT")), scheduler.reg.calls(),
                "checked which NEXUS_ROOT a task would see");
    }

    @Test
    void installingTheSameDefinitionWhileItRunsDoesNothing() throws Exception {
        scheduler.follow(Duration.ZERO);
        manager.install(cloud());
        scheduler.awaitSettled();
        int before = scheduler.changes().size();

        InstallPlan again = manager.install(cloud());

        assertTrue(again.isEmpty());
        assertEquals(before, scheduler.changes().size());
    }

    @Test
    void changedDefinitionEndsTheOldInstanceAndWaitsBeforeCreatingAndRunning() throws Exception {
        Files.createDirectories(xml.getParent());
        Files.writeString(xml, "<Task>older</Task>");
        scheduler.registered("Running", "267009").follow(Duration.ofMillis(300));

        manager.install(cloud());

        assertEquals(List.of(List.of("/End", "/TN", TASK), create(xml), List.of("/Run", "/TN", TASK)), scheduler.changes());
        List<List<String>> calls = scheduler.schtasks.calls();
        int end = calls.indexOf(List.of("/End", "/TN", TASK));
        int created = calls.indexOf(create(xml));
        long queries = calls.subList(end, created).stream().filter(c -> c.get(0).equals("/Query")).count();
        assertTrue(queries >= 2, "waited for the old instance to end: " + calls);
    }

    @Test
    void failedCreatePutsTheOldDefinitionBackByteForByteAndRegistersItAgain() throws Exception {
        Files.createDirectories(xml.getParent());
        byte[] old = "\uFEFF<Task>the one that ran</Task>".getBytes(StandardCharsets.UTF_16LE);
        Files.write(xml, old);
        scheduler.registered("Running", "267009").follow(Duration.ZERO);
        scheduler.schtasks.reply(List.of("/Create"), 1, "",
                "ERROR: The task XML contains a value which is incorrectly formatted or out of range.\r\n");

        ManagerException e = assertThrows(ManagerException.class, () -> manager.install(cloud()));

        assertTrue(e.getMessage().contains("/Create") && e.getMessage().contains("incorrectly formatted"), e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(xml));
        List<List<String>> changes = scheduler.changes();
        assertEquals(List.of(create(xml), List.of("/Run", "/TN", TASK)), changes.subList(changes.size() - 2, changes.size()),
                "rollback registers and runs the restored definition: " + changes);
    }

    @Test
    void failedCreateOfAFreshInstallLeavesNoDefinitionAndNoTask() throws Exception {
        scheduler.schtasks.reply(List.of("/Create"), 1, "", "ERROR: Access is denied.\r\n");

        assertThrows(ManagerException.class, () -> manager.install(cloud()));

        assertFalse(Files.exists(xml));
        List<List<String>> changes = scheduler.changes();
        assertEquals(List.of("/Delete", "/TN", TASK, "/F"), changes.get(changes.size() - 1));
    }

    @Test
    void aNexusRootTheTaskWouldNotSeeIsRefusedWithTheFix() throws Exception {
        scheduler.userVariable("NEXUS_ROOT", "REG_SZ", "D:\\other-nexus");

        ManagerException e = assertThrows(ManagerException.class, () -> manager.install(cloud()));

        assertTrue(e.getMessage().contains("NEXUS_ROOT=D:\\other-nexus") && e.getMessage().contains("setx NEXUS_ROOT \""
                + ctx.paths().root() + "\""), e.getMessage());
        assertFalse(Files.exists(xml));
        assertEquals(List.of(), scheduler.changes());
    }

    @Test
    void aRegisteredRootWithUserprofileIsExpandedAndAccepted() throws Exception {
        scheduler.userVariable("NEXUS_ROOT", "REG_EXPAND_SZ", "%USERPROFILE%/nexus").follow(Duration.ZERO);

        manager.install(cloud());

        assertTrue(Files.exists(xml));
    }

    @Test
    void anotherRootInTheInstallingShellIsRefusedToo() throws Exception {
        ManagerContext elsewhere = new ManagerContext(new dev.nexus.services.support.NexusPaths(home.resolve("elsewhere")),
                ctx.userHome(), ctx.self(), ctx.environment(), ctx.runner(), -1);
        WindowsTaskManager other = new WindowsTaskManager(elsewhere, HostOs.WINDOWS, WinFixtures.USER, WinFixtures.FAST);

        ManagerException e = assertThrows(ManagerException.class, () -> other.install(cloud()));
        assertTrue(e.getMessage().contains("no NEXUS_ROOT, so " + home.resolve("nexus")), e.getMessage());
    }

    @Test
    void uninstallEndsDeletesAndRemovesTheDefinition() throws Exception {
        scheduler.follow(Duration.ofMillis(100));
        manager.install(cloud());
        scheduler.awaitSettled();

        InstallPlan done = manager.uninstall("cloud");

        assertFalse(Files.exists(xml));
        assertEquals(List.of(xml), done.remove());
        List<List<String>> changes = scheduler.changes();
        assertEquals(List.of(List.of("/End", "/TN", TASK), List.of("/Delete", "/TN", TASK, "/F")),
                changes.subList(changes.size() - 2, changes.size()));
        assertEquals(ManagedState.notInstalled(), manager.state("cloud"));
    }

    @Test
    void uninstallOfAServiceThatIsNotThereDoesNothing() throws Exception {
        assertTrue(manager.uninstall("cloud").isEmpty());
        assertEquals(List.of(), scheduler.changes());
    }

    @Test
    void switchingAwayReturnsOnlyOnceTheTaskNoLongerRuns() throws Exception {
        scheduler.follow(Duration.ofMillis(400));
        manager.install(cloud());
        scheduler.awaitSettled();

        long started = System.nanoTime();
        manager.uninstall("cloud");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(tookMillis >= 350, "returned after " + tookMillis + " ms, while the old instance could still run");
    }

    @Test
    void stopEndsAndWaitsStartRunsRestartDoesBothInOrder() throws Exception {
        scheduler.follow(Duration.ofMillis(100));
        manager.install(cloud());
        scheduler.awaitSettled();
        int before = scheduler.changes().size();

        manager.stop("cloud");
        assertFalse(manager.state("cloud").running(), "stop returns once the task has ended");
        manager.stop("cloud"); // not running: nothing to end
        manager.start("cloud");
        scheduler.awaitSettled();
        manager.restart("cloud");

        assertEquals(List.of(List.of("/End", "/TN", TASK), List.of("/Run", "/TN", TASK), List.of("/End", "/TN", TASK),
                List.of("/Run", "/TN", TASK)), scheduler.changes().subList(before, scheduler.changes().size()));
    }

    @Test
    void anEndThatNeverTakesEffectFailsTheStop() throws Exception {
        scheduler.registered("Running", "267009");
        Files.createDirectories(xml.getParent());
        Files.writeString(xml, "x");

        ManagerException e = assertThrows(ManagerException.class, () -> manager.stop("cloud"));
        assertTrue(e.getMessage().contains("still running"), e.getMessage());
    }

    @Test
    void startOfAServiceThatWasNeverInstalledSaysHowToInstallIt() {
        ManagerException e = assertThrows(ManagerException.class, () -> manager.start("cloud"));
        assertTrue(e.getMessage().contains(TASK) && e.getMessage().contains("nexus-services install cloud"), e.getMessage());
    }

    @Test
    void stateFromTheQuery() throws Exception {
        assertEquals(ManagedState.notInstalled(), manager.state("cloud"));

        scheduler.registered("Running", "267009");
        ManagedState running = manager.state("cloud");
        assertTrue(running.installed() && running.running());
        assertEquals(OptionalInt.empty(), running.lastExit());

        scheduler.registered("Ready", "78");
        ManagedState exited = manager.state("cloud");
        assertFalse(exited.running());
        assertEquals(OptionalInt.of(78), exited.lastExit());
        assertEquals("Ready, last result 78", exited.detail());
    }

    @Test
    void aTranslatedNotFoundCountsAsNotInstalledOnlyWhenWeNeverWroteTheTask() throws Exception {
        scheduler.schtasks.reply(List.of("/Query"), 1, "", "FEHLER: Das System kann die angegebene Datei nicht finden.\r\n");
        assertEquals(ManagedState.notInstalled(), manager.state("cloud"));

        Files.createDirectories(xml.getParent());
        Files.writeString(xml, "x");
        assertThrows(ManagerException.class, () -> manager.state("cloud"));
    }

    @Test
    void unavailableOffWindowsOrWithoutSchtasks() throws Exception {
        assertTrue(new WindowsTaskManager(ctx, HostOs.MACOS, WinFixtures.USER, WinFixtures.FAST).unavailableReason()
                .orElseThrow().contains("Windows"));
        assertEquals(Optional.empty(), manager.unavailableReason());
        ManagerContext noTool = WinFixtures.standInContext(home, home.resolve("empty-bin"));
        String reason = new WindowsTaskManager(noTool, HostOs.WINDOWS, WinFixtures.USER, WinFixtures.FAST).unavailableReason().orElseThrow();
        assertTrue(reason.startsWith("schtasks cannot be run"), reason);
    }

    @Test
    void neverRestartedServiceAndUserNames() {
        ServiceSpec never = WinFixtures.daemon(ctx.paths(), "cloud", new RestartSpec(RestartSpec.Mode.NEVER,
                Duration.ofSeconds(1), 2, Duration.ofSeconds(60), 0.2, Duration.ofSeconds(60), 5, Duration.ofSeconds(10),
                Duration.ofMinutes(5), Duration.ofSeconds(300)));
        assertFalse(manager.installPlan(never).write().get(0).content().contains("RestartOnFailure"));
        assertEquals("DESKTOP-7Q2LK9M\\ada", WindowsTaskManager.currentUser(
                java.util.Map.of("USERDOMAIN", "DESKTOP-7Q2LK9M", "USERNAME", "ada"), "x"));
        assertEquals("ada", WindowsTaskManager.currentUser(java.util.Map.of(), "ada"));
    }

    @Test
    void noSecretReachesTheDefinitionOrAnyArgument() throws Exception {
        scheduler.follow(Duration.ZERO);
        manager.install(cloud());
        scheduler.awaitSettled();
        manager.restart("cloud");
        manager.uninstall("cloud");

        for (List<String> call : scheduler.schtasks.calls()) {
            assertTrue(call.stream().noneMatch(a -> a.contains(WinFixtures.CANARY)), call.toString());
        }
        assertFalse(manager.installPlan(cloud()).write().get(0).content().contains(WinFixtures.CANARY));
    }
}

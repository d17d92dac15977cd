package dev.nexus.services.manager.launchd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.ServiceKind;
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
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LaunchdManager's launchctl sequences against a STAND-IN launchctl (launchd cannot run here), in a temp
 * HOME: real files, real processes for the tool, the plist and every call checked.
 */
class LaunchdManagerStandInTest {
    @TempDir
    Path home;
    Path bin;
    ManagerContext ctx;
    FakeLaunchd launchd;
    LaunchdManager manager;
    Path plist;
    String target;

    @BeforeEach
    void setUp() throws Exception {
        bin = home.resolve("test-bin");
        ctx = MacFixtures.standInContext(home, bin);
        launchd = FakeLaunchd.create(bin, "dev.nexus.cloud");
        manager = new LaunchdManager(ctx, HostOs.MACOS, MacFixtures.FAST);
        plist = home.resolve("Library/LaunchAgents/dev.nexus.cloud.plist");
        target = launchd.target();
    }

    @AfterEach
    void tearDown() throws Exception {
        launchd.close();
    }

    private ServiceSpec cloud() {
        return MacFixtures.daemon(ctx.paths(), "cloud");
    }

    @Test
    void freshInstallWritesThePlistThenEnablesBootsOutAndBootstraps() throws Exception {
        launchd.follow(Duration.ZERO);

        InstallPlan done = manager.install(cloud());

        assertEquals(LaunchdPlists.service(cloud(), ctx), Files.readString(plist));
        assertEquals(List.of(List.of("enable", target), List.of("bootout", target), List.of("bootstrap", "gui/501", plist.toString())),
                launchd.changes());
        assertEquals(manager.installPlan(cloud()), done, "the dry-run plan is what was done");
        assertTrue(Files.isDirectory(ctx.paths().logs()), "launchd opens the log files itself: their directory must exist");
        assertPrintBetween("bootout", "bootstrap");
    }

    @Test
    void installingTheSamePlistAgainWhileLoadedChangesNothing() throws Exception {
        Files.createDirectories(plist.getParent());
        Files.writeString(plist, LaunchdPlists.service(cloud(), ctx));
        launchd.running(ProcessHandle.current().pid());

        InstallPlan done = manager.install(cloud());

        assertTrue(done.isEmpty(), done.toString());
        assertEquals(List.of(), launchd.changes(), "a healthy service is not bounced by a repeated install");
    }

    @Test
    void changedPlistReloadsTheJobOnlyAfterLaunchdHasLetGoOfTheLabel() throws Exception {
        Files.createDirectories(plist.getParent());
        Files.writeString(plist, "<plist>an older version</plist>");
        launchd.running(ProcessHandle.current().pid()).follow(Duration.ofMillis(300));

        manager.install(cloud());

        assertEquals(LaunchdPlists.service(cloud(), ctx), Files.readString(plist));
        assertEquals(List.of(List.of("enable", target), List.of("bootout", target), List.of("bootstrap", "gui/501", plist.toString())),
                launchd.changes());
        List<List<String>> calls = launchd.calls();
        int bootout = calls.indexOf(List.of("bootout", target));
        long printsWhileLettingGo = calls.subList(bootout, calls.size()).stream().filter(c -> c.get(0).equals("print")).count();
        assertTrue(printsWhileLettingGo >= 2, "waited through launchd's teardown: " + calls);
    }

    @Test
    void failedBootstrapPutsTheOldPlistBackByteForByteAndReloadsTheOldJob() throws Exception {
        Files.createDirectories(plist.getParent());
        byte[] old = "<plist>the version that ran before</plist>\n".getBytes(StandardCharsets.UTF_8);
        Files.write(plist, old);
        launchd.running(ProcessHandle.current().pid()).follow(Duration.ZERO);
        launchd.tool.reply(List.of("bootstrap"), 119, "", "Bootstrap failed: 119: Service is disabled\n");

        ManagerException e = assertThrows(ManagerException.class, () -> manager.install(cloud()));

        assertTrue(e.getMessage().contains("launchctl bootstrap gui/501 " + plist) && e.getMessage().contains("119"), e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(plist));
        List<List<String>> changes = launchd.changes();
        assertEquals(List.of(List.of("bootout", target), List.of("bootstrap", "gui/501", plist.toString())),
                changes.subList(changes.size() - 2, changes.size()), "rollback reloads the restored plist: " + changes);
    }

    @Test
    void failedBootstrapOfAFreshInstallLeavesNoPlistBehind() throws Exception {
        launchd.tool.reply(List.of("bootstrap"), 119, "", "Bootstrap failed: 119: Service is disabled\n");

        assertThrows(ManagerException.class, () -> manager.install(cloud()));

        assertFalse(Files.exists(plist));
        try (var left = Files.list(plist.getParent())) {
            assertEquals(List.of(), left.toList(), "no temp files either");
        }
    }

    @Test
    void bootstrapAnsweredWithEioIsTriedAgainUntilLaunchdAccepts() throws Exception {
        launchd.tool.reply(List.of("bootstrap"), 0, "", "");
        // launchd still busy with the bootout: the first two bootstraps fail with EIO.
        launchd.tool.replyTimes(List.of("bootstrap"), 2, 5, "", "Bootstrap failed: 5: Input/output error\n"
                + "Try re-running the command as root for richer errors.\n");

        manager.install(cloud());

        long bootstraps = launchd.changes().stream().filter(c -> c.get(0).equals("bootstrap")).count();
        assertEquals(3, bootstraps, "retried until accepted: " + launchd.changes());
    }

    @Test
    void uninstallBootsOutAndRemovesThePlist() throws Exception {
        manager.install(cloud());
        launchd.running(ProcessHandle.current().pid()).follow(Duration.ofMillis(100));

        InstallPlan done = manager.uninstall("cloud");

        assertFalse(Files.exists(plist));
        assertEquals(List.of(plist), done.remove());
        List<List<String>> changes = launchd.changes();
        assertEquals(List.of("bootout", target), changes.get(changes.size() - 1));
    }

    @Test
    void uninstallOfAServiceThatIsNotThereDoesNothingAndSucceeds() throws Exception {
        InstallPlan done = manager.uninstall("cloud");

        assertTrue(done.isEmpty());
        assertEquals(List.of(), launchd.changes());
    }

    @Test
    void switchingAwayFromLaunchdReturnsOnlyOnceLaunchdNoLongerRunsTheService() throws Exception {
        manager.install(cloud());
        launchd.running(ProcessHandle.current().pid()).follow(Duration.ofMillis(500));

        long started = System.nanoTime();
        manager.uninstall("cloud");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(tookMillis >= 450, "returned after " + tookMillis + " ms, before launchd let go: two copies could run");
        assertEquals(ManagedState.notInstalled(), manager.state("cloud"));
    }

    @Test
    void bootoutThatNeverLetsGoFailsAndKeepsThePlist() throws Exception {
        manager.install(cloud());
        byte[] installed = Files.readAllBytes(plist);
        launchd.running(ProcessHandle.current().pid()); // and it stays loaded

        ManagerException e = assertThrows(ManagerException.class, () -> manager.uninstall("cloud"));

        assertTrue(e.getMessage().contains("still loaded"), e.getMessage());
        assertArrayEquals(installed, Files.readAllBytes(plist), "as it was: loaded, with its plist");
    }

    @Test
    void stopBootsOutSoKeepAliveCannotBringItBackAndStartBootstrapsAgain() throws Exception {
        manager.install(cloud());
        launchd.running(ProcessHandle.current().pid()).follow(Duration.ofMillis(50));
        int before = launchd.changes().size();

        manager.stop("cloud");
        assertEquals(new ManagedState(true, false, OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty(),
                "not loaded (stopped; loads again at the next login)"), manager.state("cloud"));
        manager.start("cloud");

        assertEquals(List.of(List.of("bootout", target), List.of("bootstrap", "gui/501", plist.toString())),
                launchd.changes().subList(before, launchd.changes().size()));
        assertTrue(Files.exists(plist), "a stop keeps the plist: the service comes back at the next login");
    }

    @Test
    void startOfALoadedJobKickstartsItAndRestartKillsAndStartsIt() throws Exception {
        manager.install(cloud());
        launchd.printing("print-signalled.txt");
        int before = launchd.changes().size();

        manager.start("cloud");
        manager.restart("cloud");

        assertEquals(List.of(List.of("kickstart", target), List.of("kickstart", "-k", target)),
                launchd.changes().subList(before, launchd.changes().size()));
    }

    @Test
    void restartOfAStoppedServiceStartsIt() throws Exception {
        Files.createDirectories(plist.getParent());
        Files.writeString(plist, LaunchdPlists.service(cloud(), ctx));

        manager.restart("cloud");

        assertEquals(List.of(List.of("bootstrap", "gui/501", plist.toString())), launchd.changes());
    }

    @Test
    void startOfAServiceThatWasNeverInstalledSaysHowToInstallIt() {
        ManagerException e = assertThrows(ManagerException.class, () -> manager.start("cloud"));

        assertTrue(e.getMessage().contains(plist.toString()) && e.getMessage().contains("nexus-services install cloud"), e.getMessage());
    }

    @Test
    void stateOfALoadedJobIsLaunchdsWordCheckedAgainstTheProcessTable() throws Exception {
        manager.install(cloud());
        long pid = ProcessHandle.current().pid();
        launchd.running(pid);

        ManagedState running = manager.state("cloud");
        assertTrue(running.installed() && running.running());
        assertEquals(OptionalLong.of(pid), running.pid());
        assertEquals(OptionalInt.of(2), running.restarts());

        launchd.printing("print-ex-config.txt");
        ManagedState looping = manager.state("cloud");
        assertFalse(looping.running());
        assertEquals(OptionalInt.of(78), looping.lastExit());
        assertTrue(looping.detail().contains("spawn scheduled"), looping.detail());
    }

    @Test
    void stateWhenPrintFailsForAnotherReasonIsAnErrorNotNotInstalled() throws Exception {
        launchd.tool.reply(List.of("print", target), 64, "", "Unrecognized target specifier.\n");

        ManagerException e = assertThrows(ManagerException.class, () -> manager.state("cloud"));
        assertTrue(e.getMessage().contains("exit 64"), e.getMessage());
    }

    @Test
    void unavailableOffMacOsWithoutAGuiDomainOrWithoutLaunchctl() throws Exception {
        assertTrue(new LaunchdManager(ctx, HostOs.LINUX, MacFixtures.FAST).unavailableReason().orElseThrow().contains("macOS"));
        assertEquals(java.util.Optional.empty(), manager.unavailableReason());

        launchd.tool.reply(List.of("print", "gui/501"), 112, "", "Could not find domain for user gui: 501\n");
        assertTrue(manager.unavailableReason().orElseThrow().contains("no GUI domain gui/501"));

        ManagerContext noTool = MacFixtures.standInContext(home, home.resolve("empty-bin"));
        String reason = new LaunchdManager(noTool, HostOs.MACOS, MacFixtures.FAST).unavailableReason().orElseThrow();
        assertTrue(reason.startsWith("launchctl cannot be run"), reason);
    }

    @Test
    void aJobOrAConnectionIsNotHandedToLaunchd() {
        ServiceSpec job = MacFixtures.daemon(ctx.paths(), "hub");
        ServiceSpec asJob = new ServiceSpec(job.name(), job.displayName(), ServiceKind.JOB, true, job.command(), job.workingDir(),
                job.env(), job.manager(), job.dependsOn(), job.port(), job.probes(), job.restart(), job.stopTimeout(), job.log(),
                job.children(), new dev.nexus.services.catalog.JobSpec(Duration.ofHours(6), Duration.ofMinutes(2)), null);

        ManagerException e = assertThrows(ManagerException.class, () -> manager.install(asJob));
        assertTrue(e.getMessage().contains("hub is a job"), e.getMessage());
    }

    @Test
    void noSecretReachesThePlistOrAnyLaunchctlArgument() throws Exception {
        launchd.follow(Duration.ZERO);
        manager.install(cloud());
        manager.restart("cloud");
        manager.stop("cloud");
        manager.uninstall("cloud");

        for (List<String> call : launchd.calls()) {
            for (String arg : call) {
                assertFalse(arg.contains(MacFixtures.CANARY), "launchctl " + call);
            }
        }
        assertFalse(manager.installPlan(cloud()).write().get(0).content().contains(MacFixtures.CANARY));
    }

    private void assertPrintBetween(String first, String second) throws Exception {
        List<List<String>> calls = launchd.calls();
        int a = -1;
        int b = -1;
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).get(0).equals(first) && a < 0) {
                a = i;
            }
            if (calls.get(i).get(0).equals(second)) {
                b = i;
            }
        }
        assertTrue(a >= 0 && b > a, calls.toString());
        assertTrue(calls.subList(a, b).stream().anyMatch(c -> c.equals(List.of("print", target))),
                "checked the label was gone before bootstrapping: " + calls);
    }
}

package dev.nexus.services.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.manager.RecordingStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code install} and {@code uninstall} through the real launcher in a temp home, with a recording STAND-IN for
 * {@code systemctl} on PATH (no user manager can run here, and a test must not touch the machine's own).
 */
class InstallIT {
    private static final String SHOW_INACTIVE = "LoadState=loaded\nActiveState=inactive\nSubState=dead\nNRestarts=0\n"
            + "MainPID=0\nExecMainStatus=0\nResult=success\n";

    @TempDir
    Path tempDir;
    private TestRoot root;
    private Path home;
    private RecordingStandIn systemctl;
    private Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        root = TestRoot.in(tempDir.resolve("root"));
        home = tempDir.resolve("home");
        Path bin = tempDir.resolve("bin");
        systemctl = RecordingStandIn.create(bin, "systemctl")
                .reply(List.of("--version"), "systemd 252 (252.39-1~deb12u1)\n+PAM +AUDIT +SELINUX\n")
                .reply(List.of("--user", "show"), SHOW_INACTIVE)
                .reply(List.of("--user", "is-enabled"), 1, "disabled\n", "");
        cli = root.cli().withEnv(Map.of(
                "PATH", bin + ":" + System.getenv("PATH"),
                // Java takes the home directory from the password database, not from HOME.
                "NEXUS_JAVA_OPTS", "-Duser.home=" + home,
                "XDG_CONFIG_HOME", home.resolve(".config").toString()));
        root.writeCatalog(ServicesJson.catalog()
                .add(ServicesJson.fixtureDaemon("cloud", ServicesJson.freePort(), root.pidFile("cloud")))
                .text());
    }

    @Test
    void installMovesADaemonToSystemdAndUninstallTakesItBackIdempotently() throws Exception {
        Path unit = home.resolve(".config/systemd/user/nexus-cloud.service");
        Launcher.Result installed = cli.expect(0, "install", "cloud", "--manager", "systemd");
        assertTrue(installed.out().contains("services.json: cloud → manager systemd"), installed.toString());
        assertTrue(installed.out().contains("wrote   ~/.config/systemd/user/nexus-cloud.service"), installed.toString());
        assertTrue(installed.out().contains("ran     systemctl --user daemon-reload"), installed.toString());
        String content = Files.readString(unit);
        assertTrue(content.contains(Launcher.executable() + " exec cloud"), content);
        assertTrue(content.contains("RestartPreventExitStatus=78"), content);
        assertTrue(Files.readString(root.catalogFile()).contains("\"systemd\""), "the move is saved");
        assertTrue(systemctl.calls().contains(List.of("--user", "daemon-reload")), systemctl.calls().toString());
        assertTrue(systemctl.calls().contains(List.of("--user", "enable", "nexus-cloud.service")),
                systemctl.calls().toString());

        systemctl.reply(List.of("--user", "is-enabled"), "enabled\n");
        Launcher.Result again = cli.expect(0, "install", "cloud");
        assertTrue(again.out().contains("cloud → systemd\n  already in place, nothing changed"), again.toString());

        Launcher.Result removed = cli.expect(0, "uninstall", "cloud");
        assertTrue(removed.out().contains("services.json: cloud → manager embedded"), removed.toString());
        assertTrue(removed.out().contains("removed ~/.config/systemd/user/nexus-cloud.service"), removed.toString());
        assertFalse(Files.exists(unit), "the unit is gone");
        assertTrue(Files.readString(root.catalogFile()).contains("\"embedded\""), "back to the embedded supervisor");
    }

    @Test
    void dryRunShowsTheEngineUnitAndWritesNothing() throws Exception {
        Launcher.Result r = cli.expect(0, "install", "--engine", "--dry-run");
        assertTrue(r.out().contains("the engine at login\n  would write ~/.config/systemd/user/nexus-services.service"),
                r.toString());
        assertTrue(r.out().contains("ExecStart=" + Launcher.executable() + " daemon --detached"), r.toString());
        assertFalse(Files.exists(home.resolve(".config")), "nothing written");
        assertEquals(List.of(), systemctl.calls().stream().filter(c -> c.contains("enable")).toList());
    }

    @Test
    void aManagerThatCannotWorkHereIsRefusedWithItsReasonAndNothingChanges() throws Exception {
        String before = Files.readString(root.catalogFile());
        Launcher.Result r = cli.expect(3, "install", "cloud", "--manager", "launchd");
        assertTrue(r.err().contains("launchd cannot be used here: "), r.toString());
        assertEquals(before, Files.readString(root.catalogFile()));
    }

    @Test
    void doctorExplainsLingerOnceADaemonRunsUnderSystemd() throws Exception {
        RecordingStandIn loginctl = RecordingStandIn.create(tempDir.resolve("bin"), "loginctl")
                .reply(List.of("show-user"), "Linger=no\n");
        // cloud asks for "auto", which picks systemd where a user manager answers.
        Launcher.Result auto = cli.run("doctor");
        assertTrue(auto.out().contains("service managers: embedded, systemd; auto picks systemd"), auto.toString());
        assertTrue(auto.out().contains("services at logout and starts them only at login (linger is off)"), auto.toString());
        assertTrue(auto.out().contains("loginctl enable-linger " + System.getProperty("user.name")), auto.toString());
        assertEquals(List.of("show-user", System.getProperty("user.name"), "-p", "Linger"), loginctl.calls().get(0));

        cli.expect(0, "install", "cloud", "--manager", "embedded");
        Launcher.Result embedded = cli.run("doctor");
        assertFalse(embedded.out().contains("linger"), "no daemon under systemd: " + embedded);
    }

    @Test
    void logsOfADaemonUnderASystemdThatLogsToTheJournalComeFromJournalctl() throws Exception {
        systemctl.reply(List.of("--version"), "systemd 239 (239)\n");
        RecordingStandIn journalctl = RecordingStandIn.create(tempDir.resolve("bin"), "journalctl")
                .reply(List.of("--user"), "line from the journal\n");
        Launcher.Result r = cli.expect(0, "logs", "cloud", "-n", "5");
        assertEquals("line from the journal\n", r.out());
        assertEquals(List.of(dev.nexus.services.manager.systemd.JournalLogs.argv("cloud", 5, false).subList(1,
                dev.nexus.services.manager.systemd.JournalLogs.argv("cloud", 5, false).size())), journalctl.calls());

        systemctl.reply(List.of("--version"), "systemd 252 (252)\n");
        cli.expect(0, "logs", "cloud", "-n", "5");
        assertEquals(1, journalctl.calls().size(), "systemd 240 and later append to the usual log files");
    }
}

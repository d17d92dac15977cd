package dev.nexus.services.manager.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.manager.CommandResult;
import dev.nexus.services.manager.ManagedState;
import dev.nexus.services.manager.ManagerException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What systemctl and loginctl print, as real systems print it, read into our records. */
class SystemdOutputParsingTest {
    @Test
    void versionFromTheFirstLineOfSystemctlVersion() {
        assertEquals(252, SystemdVersion.parse("""
                systemd 252 (252.38-1~deb12u1)
                +PAM +AUDIT +SELINUX +APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS +OPENSSL +ACL +BLKID +CURL
                """));
        assertEquals(255, SystemdVersion.parse("systemd 255 (255.4-1ubuntu8.4)\n+PAM +AUDIT\n"));
        assertEquals(254, SystemdVersion.parse("systemd 254 (254.5-1-arch)\n"));
        assertEquals(239, SystemdVersion.parse("systemd 239 (239-78.el8)\n+PAM +AUDIT +SELINUX\n"));
        assertEquals(257, SystemdVersion.parse("\nsystemd 257 (257.2)\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SystemdVersion.parse("bash: systemctl: command not found\n"));
        assertTrue(e.getMessage().contains("bash: systemctl: command not found"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SystemdVersion.parse(""));
    }

    @Test
    void aRunningServiceWithRestarts() {
        ManagedState state = SystemdUserManager.parseState("""
                MainPID=48213
                Result=success
                NRestarts=2
                ExecMainCode=0
                ExecMainStatus=0
                LoadState=loaded
                ActiveState=active
                SubState=running
                """);
        assertEquals(new ManagedState(true, true, OptionalLong.of(48213), OptionalInt.of(2), OptionalInt.empty(),
                "active (running)"), state);
    }

    @Test
    void aServiceThatFailedWithExConfig() {
        ManagedState state = SystemdUserManager.parseState("""
                MainPID=0
                Result=exit-code
                NRestarts=0
                ExecMainCode=1
                ExecMainStatus=78
                LoadState=loaded
                ActiveState=failed
                SubState=failed
                """);
        assertEquals(new ManagedState(true, false, OptionalLong.empty(), OptionalInt.of(0), OptionalInt.of(78),
                "failed (exit-code)"), state);
    }

    @Test
    void aServiceWaitingToBeRestartedAfterAKill() {
        ManagedState state = SystemdUserManager.parseState("""
                MainPID=0
                Result=signal
                NRestarts=5
                ExecMainCode=2
                ExecMainStatus=9
                LoadState=loaded
                ActiveState=activating
                SubState=auto-restart
                """);
        assertFalse(state.running());
        assertEquals(OptionalInt.empty(), state.lastExit(), "a signal is not an exit status");
        assertEquals(OptionalInt.of(5), state.restarts());
        assertEquals("activating (auto-restart), last killed by signal 9", state.detail());
    }

    @Test
    void aStoppedServiceThatNeverRan() {
        ManagedState state = SystemdUserManager.parseState("""
                MainPID=0
                Result=success
                NRestarts=0
                ExecMainCode=0
                ExecMainStatus=0
                LoadState=loaded
                ActiveState=inactive
                SubState=dead
                """);
        assertEquals(new ManagedState(true, false, OptionalLong.empty(), OptionalInt.of(0), OptionalInt.empty(),
                "inactive (dead)"), state);
    }

    @Test
    void aUnitSystemdDoesNotKnowIsNotInstalled() {
        assertEquals(ManagedState.notInstalled(), SystemdUserManager.parseState("""
                MainPID=0
                Result=success
                NRestarts=0
                ExecMainCode=0
                ExecMainStatus=0
                LoadState=not-found
                ActiveState=inactive
                SubState=dead
                """));
    }

    @Test
    void aMaskedUnitIsInstalledButSaysSo() {
        ManagedState state = SystemdUserManager.parseState("""
                LoadState=masked
                ActiveState=inactive
                SubState=dead
                MainPID=0
                """);
        assertTrue(state.installed());
        assertEquals("masked, inactive (dead)", state.detail());
        assertEquals(OptionalInt.empty(), state.restarts());
    }

    @Test
    void lingerOnOffAndUnknownUser() throws Exception {
        List<String> argv = Linger.argv("ada");
        assertEquals(List.of("loginctl", "show-user", "ada", "-p", "Linger"), argv);
        assertEquals(new Linger.Status("ada", true, Optional.empty()),
                Linger.parse("ada", new CommandResult(argv, 0, "Linger=yes\n", "")));
        Linger.Status off = Linger.parse("ada", new CommandResult(argv, 0, "Linger=no\n", ""));
        assertFalse(off.enabled());
        assertEquals(Optional.of("Lingering is off for ada: without it, systemd --user services stop when you log out"
                + " and do not start at boot until you log in. Turn it on with: loginctl enable-linger ada"), off.advice());
        // logind tracks no user that is neither logged in nor lingering.
        assertFalse(Linger.parse("ada", new CommandResult(argv, 1, "",
                "Failed to get user: User ID 1000 is not logged in or lingering\n")).enabled());
        assertFalse(Linger.parse("ada", new CommandResult(argv, 1, "",
                "Failed to get user: No user with UID 1000 logged in.\n")).enabled());
        ManagerException noBus = assertThrows(ManagerException.class, () -> Linger.parse("ada",
                new CommandResult(argv, 1, "", "Failed to connect to bus: No such file or directory\n")));
        assertEquals("`loginctl show-user ada -p Linger` failed (exit 1): Failed to connect to bus: No such file or"
                + " directory", noBus.getMessage());
        assertThrows(ManagerException.class, () -> Linger.parse("ada", new CommandResult(argv, 0, "Linger=maybe\n", "")));
        assertThrows(ManagerException.class, () -> Linger.parse("ada", new CommandResult(argv, 0, "", "")));
    }

    @Test
    void journalArguments() {
        assertEquals(List.of("journalctl", "--user", "-u", "nexus-cloud.service", "-n", "50", "-o", "cat", "--no-pager"),
                JournalLogs.argv("cloud", 50, false));
        assertEquals(List.of("journalctl", "--user", "-u", "nexus-services.service", "-n", "0", "-f", "-o", "cat",
                "--no-pager"), JournalLogs.argvForUnit(SystemdUnits.ENGINE_UNIT, 0, true));
        assertThrows(IllegalArgumentException.class, () -> JournalLogs.argv("cloud", -1, false));
        assertThrows(IllegalArgumentException.class, () -> JournalLogs.argv("no such", 5, false));
    }
}

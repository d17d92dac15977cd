package dev.nexus.services.tray.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.tray.settings.LaunchAtLogin.DesktopOs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchAtLoginTest {
    private static final Path LAUNCHER = Path.of("/opt/nexus/bin/nexus-services");

    @TempDir
    Path tmp;

    @Test
    void osFamilies() {
        assertEquals(DesktopOs.LINUX, LaunchAtLogin.os("Linux"));
        assertEquals(DesktopOs.MACOS, LaunchAtLogin.os("Mac OS X"));
        assertEquals(DesktopOs.MACOS, LaunchAtLogin.os("Darwin"));
        assertEquals(DesktopOs.WINDOWS, LaunchAtLogin.os("Windows 11"));
        assertEquals(DesktopOs.OTHER, LaunchAtLogin.os("FreeBSD"));
    }

    @Test
    void onlyLinuxWithTheLauncherCanSwitchItNow() {
        assertTrue(LaunchAtLogin.availability("Linux", Optional.of(LAUNCHER)).available());

        LaunchAtLogin.Availability mac = LaunchAtLogin.availability("Mac OS X", Optional.of(LAUNCHER));
        assertFalse(mac.available());
        assertTrue(mac.reason().contains("macOS comes with the OS integration"), mac.reason());

        LaunchAtLogin.Availability windows = LaunchAtLogin.availability("Windows 10", Optional.of(LAUNCHER));
        assertFalse(windows.available());
        assertTrue(windows.reason().contains("Windows comes with the OS integration"), windows.reason());

        LaunchAtLogin.Availability noLauncher = LaunchAtLogin.availability("Linux", Optional.empty());
        assertFalse(noLauncher.available());
        assertTrue(noLauncher.reason().contains("bin/nexus-services"), noLauncher.reason());

        assertTrue(LaunchAtLogin.availability("SunOS", Optional.of(LAUNCHER)).reason().contains("SunOS"));
    }

    @Test
    void entryGoesToXdgConfigHomeOrDotConfig() {
        Path home = Path.of("/home/ada");
        assertEquals(Path.of("/cfg/autostart"),
                LaunchAtLogin.autostartDirectory(Map.of("XDG_CONFIG_HOME", "/cfg"), home));
        assertEquals(Path.of("/home/ada/.config/autostart"), LaunchAtLogin.autostartDirectory(Map.of(), home));
        assertEquals(Path.of("/home/ada/.config/autostart"),
                LaunchAtLogin.autostartDirectory(Map.of("XDG_CONFIG_HOME", ""), home));
        // The XDG spec: a relative path is invalid and ignored.
        assertEquals(Path.of("/home/ada/.config/autostart"),
                LaunchAtLogin.autostartDirectory(Map.of("XDG_CONFIG_HOME", "cfg"), home));
    }

    @Test
    void entryRunsTheLaunchersTrayCommand() {
        String entry = LaunchAtLogin.desktopEntry(LAUNCHER);
        assertTrue(entry.startsWith("[Desktop Entry]\n"), entry);
        assertTrue(entry.contains("\nType=Application\n"), entry);
        assertTrue(entry.contains("\nName=Nexus Services\n"), entry);
        assertTrue(entry.contains("\nTryExec=/opt/nexus/bin/nexus-services\n"), entry);
        assertTrue(entry.contains("\nExec=\"/opt/nexus/bin/nexus-services\" tray\n"), entry);
        assertTrue(entry.contains("\nTerminal=false\n"), entry);
    }

    @Test
    void execArgumentsAreQuotedAndEscapedAsTheSpecSays() {
        assertEquals("\"/opt/my apps/nexus\"", LaunchAtLogin.quoteExecArgument("/opt/my apps/nexus"));
        assertEquals("\"/a\\$b\\\"c\\`d\\\\e\"", LaunchAtLogin.quoteExecArgument("/a$b\"c`d\\e"));
        assertEquals("\"/opt/100%%/nexus\"", LaunchAtLogin.quoteExecArgument("/opt/100%/nexus"));
        // After quoting, the string escape doubles each backslash again: four for one literal backslash.
        String entry = LaunchAtLogin.desktopEntry(Path.of("/opt/a\\b/nexus"));
        assertTrue(entry.contains("\nExec=\"/opt/a\\\\\\\\b/nexus\" tray\n"), entry);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchAtLogin.quoteExecArgument("/opt/a\nb"));
        assertTrue(e.getMessage().contains("line break"), e.getMessage());
    }

    @Test
    void applyWritesAndRemovesTheEntryInXdgConfigHome() throws Exception {
        Path config = tmp.resolve("config");
        LaunchAtLogin login = new LaunchAtLogin(new HostEnvironment("Linux",
                Map.of("XDG_CONFIG_HOME", config.toString()), tmp.resolve("home"), Optional.of(LAUNCHER)));
        Path entry = config.resolve("autostart").resolve("nexus-services-tray.desktop");
        assertEquals(entry, login.entryFile());
        assertFalse(login.isEnabled());

        login.apply(true);
        assertTrue(login.isEnabled());
        assertEquals(LaunchAtLogin.desktopEntry(LAUNCHER), Files.readString(entry));

        login.apply(false);
        assertFalse(Files.exists(entry));
        assertFalse(login.isEnabled());
        login.apply(false); // removing what is not there is fine
        assertFalse(Files.exists(tmp.resolve("home")), "nothing is written to the real-home fallback");
    }

    @Test
    void applyRefusesWhereItIsNotAvailable() {
        LaunchAtLogin login = new LaunchAtLogin(new HostEnvironment("Mac OS X",
                Map.of("XDG_CONFIG_HOME", tmp.toString()), tmp, Optional.of(LAUNCHER)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> login.apply(true));
        assertTrue(e.getMessage().contains("macOS"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("autostart")));
    }
}

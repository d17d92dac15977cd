package dev.nexus.services.tray.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tray's login item through the OS's LoginLauncher; on Linux real files in a temp XDG_CONFIG_HOME. */
class LaunchAtLoginTest {
    private static final Path LAUNCHER = Path.of("/opt/my apps/nexus-services");

    @TempDir
    Path tmp;

    private LaunchAtLogin linux(Optional<Path> launcher) {
        return new LaunchAtLogin(new HostEnvironment("Linux", Map.of("XDG_CONFIG_HOME", tmp.resolve("cfg").toString(),
                "NEXUS_ROOT", tmp.resolve("nexus").toString()), tmp.resolve("home"), launcher));
    }

    @Test
    void onLinuxItIsAnAutostartEntryWrittenAndRemoved() throws Exception {
        LaunchAtLogin login = linux(Optional.of(LAUNCHER));
        assertTrue(login.availability().available());
        assertFalse(login.isEnabled());
        Path entry = tmp.resolve("cfg/autostart/nexus-services-tray.desktop");
        assertEquals(Optional.of(entry.toString()), login.itemFileForDisplay(), "outside the home: the full path");

        login.apply(true);
        assertTrue(login.isEnabled());
        String text = Files.readString(entry);
        assertTrue(text.contains("\"/opt/my apps/nexus-services\" tray\n"), text);
        assertTrue(text.contains("NEXUS_ROOT=" + tmp.resolve("nexus")), "the tray starts on the same root: " + text);

        login.apply(false);
        assertFalse(Files.exists(entry));
        assertFalse(login.isEnabled());
    }

    @Test
    void withoutTheLauncherOrOnAnotherSystemItSaysWhy() {
        LaunchAtLogin noLauncher = linux(Optional.empty());
        assertFalse(noLauncher.availability().available());
        assertTrue(noLauncher.availability().reason().contains("needs the nexus-services launcher"));
        assertThrows(IllegalStateException.class, () -> noLauncher.apply(true));

        LaunchAtLogin other = new LaunchAtLogin(new HostEnvironment("SunOS", Map.of(), tmp, Optional.of(LAUNCHER)));
        assertEquals("Launch at login is not available on SunOS.", other.availability().reason());
        assertEquals(Optional.empty(), other.itemFileForDisplay());
    }
}

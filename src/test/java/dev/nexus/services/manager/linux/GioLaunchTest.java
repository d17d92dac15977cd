package dev.nexus.services.manager.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.systemd.LinuxFixtures;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REAL GLib desktop launcher ({@code gio launch}, what GNOME's autostart uses) runs the generated
 * entries: a recording script stands at a launcher path full of characters the Exec key reserves (space,
 * %, ', `, \, $), and what it was started with must be exactly what the entry meant. Skipped without gio.
 */
class GioLaunchTest {
    @TempDir
    Path tmp;
    private Path record;
    private ManagerContext ctx;

    @BeforeEach
    void recordingLauncher() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gio")), "gio (GLib) is not installed");
        record = tmp.resolve("argv.txt");
        Path launcher = tmp.resolve("Apps 50%/it's `here`/back\\slash $HOME/nexus-services");
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, """
                #!/bin/sh
                # Records how the desktop started it: one argument per line, then the environment it was given.
                { for a in "$@"; do printf '%%s\\n' "$a"; done
                  printf 'NEXUS_ROOT=%%s\\n' "$NEXUS_ROOT"
                  printf 'PATH=%%s\\n' "$PATH"
                  printf 'NEXUS_JAVA_OPTS=%%s\\n' "$NEXUS_JAVA_OPTS"; } > '%s.part'
                mv '%s.part' '%s'
                """.formatted(record, record, record));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", tmp + "/My Tools/bin:/usr/bin:/bin");
        env.put("NEXUS_ROOT", tmp + "/Nexus 100% \"mine\" $HOME");
        ctx = LinuxFixtures.context(Path.of(env.get("NEXUS_ROOT")), tmp, launcher, env);
    }

    @Test
    void theTrayEntryStartsTheTrayWithTheManagedEnvironment() throws Exception {
        List<String> got = launch(DesktopEntries.tray(ctx));
        assertEquals(List.of("tray", "NEXUS_ROOT=" + tmp + "/Nexus 100% \"mine\" $HOME",
                "PATH=" + tmp + "/My Tools/bin:/usr/bin:/bin", "NEXUS_JAVA_OPTS="), got);
    }

    @Test
    void theEngineEntryStartsTheDetachedDaemonWithItsJvmFlags() throws Exception {
        List<String> got = launch(DesktopEntries.engine(ctx));
        assertEquals(List.of("daemon", "--detached"), got.subList(0, 2));
        assertEquals("NEXUS_ROOT=" + tmp + "/Nexus 100% \"mine\" $HOME", got.get(2));
        assertTrue(got.get(4).startsWith("NEXUS_JAVA_OPTS=-XX:+UseSerialGC "), got.get(4));
    }

    private List<String> launch(String entry) throws Exception {
        Path desktop = tmp.resolve("entry-" + System.nanoTime() + ".desktop");
        Files.writeString(desktop, entry, StandardCharsets.UTF_8);
        Path home = Files.createDirectories(tmp.resolve("home"));
        ProcessBuilder pb = new ProcessBuilder("gio", "launch", desktop.toString()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("XDG_") || k.startsWith("DBUS_"));
        pb.environment().put("HOME", home.toString());
        Process gio = pb.start();
        String said = new String(gio.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gio.waitFor(30, TimeUnit.SECONDS), "gio launch did not finish");
        assertEquals(0, gio.exitValue(), "gio launch: " + said);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(record) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(record), "the launched program never ran; gio said: " + said);
        List<String> lines = Files.readAllLines(record);
        Files.delete(record);
        return lines;
    }
}

package dev.nexus.services.tray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One tray per user: a real second launch (another JVM) forwards "open" and exits without loading JavaFX. */
class SingleInstanceTest {
    @TempDir
    Path root;

    @Test
    void aSecondLaunchOpensTheFirstOnesWindowAndExits() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        SingleInstance.Claim claim = SingleInstance.claim(paths);
        SingleInstance first = assertInstanceOf(SingleInstance.Primary.class, claim).instance();
        AtomicInteger opened = new AtomicInteger();
        try {
            first.onOpen(opened::incrementAndGet);
            Process second = launchTray(paths);
            // Read while it runs: the class-loading log would fill the pipe and block it.
            String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(second.waitFor(30, TimeUnit.SECONDS), "the second launch exits");
            assertEquals(0, second.exitValue(), out.lines().filter(l -> !l.contains("[class,load]")).toList().toString());
            assertTrue(out.contains("already running (pid " + ProcessHandle.current().pid() + ")"), out);
            assertTrue(out.lines().noneMatch(l -> l.contains(" javafx.") || l.contains(" java.awt.")),
                    "no toolkit was loaded");
            LiveEngine.waitUntil("the first tray was asked to open", () -> opened.get() == 1);
        } finally {
            first.close();
        }
        assertTrue(Files.notExists(SingleInstance.socketFile(paths)), "the socket goes with the tray");
    }

    @Test
    void anOpenRequestBeforeTheAppIsReadyIsKeptForIt() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        SingleInstance first = ((SingleInstance.Primary) SingleInstance.claim(paths)).instance();
        try {
            Process second = launchTray(paths);
            second.getInputStream().readAllBytes();
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, second.exitValue());
            AtomicInteger opened = new AtomicInteger();
            first.onOpen(opened::incrementAndGet);
            assertEquals(1, opened.get(), "run as soon as the app says what opening means");
        } finally {
            first.close();
        }
    }

    @Test
    void theLockOfATrayThatDiedIsFreeAgain() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        SingleInstance first = ((SingleInstance.Primary) SingleInstance.claim(paths)).instance();
        first.close();
        // What a crash leaves behind: the lock file and a stale socket file.
        Files.writeString(SingleInstance.socketFile(paths), "stale");
        SingleInstance again = assertInstanceOf(SingleInstance.Primary.class, SingleInstance.claim(paths)).instance();
        again.close();
    }

    /** {@code java -cp <test class path> TrayLauncher} with class loading logged to stdout. */
    private static Process launchTray(NexusPaths paths) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Fixtures.javaBinary());
        cmd.addAll(Fixtures.JVM_FLAGS);
        cmd.add("-Xlog:class+load=info");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TrayLauncher.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        return pb.start();
    }
}

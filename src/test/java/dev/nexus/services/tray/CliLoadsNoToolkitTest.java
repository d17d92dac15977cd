package dev.nexus.services.tray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tray command is registered, yet no other command (nor its own help) loads a JavaFX or AWT class. */
class CliLoadsNoToolkitTest {
    @TempDir
    Path root;

    @Test
    void statusAndHelpLoadNoToolkitClasses() throws Exception {
        for (List<String> args : List.of(List.of("status", "--json"), List.of("--help"), List.of("tray", "--help"))) {
            String out = run(args);
            List<String> toolkit = out.lines().filter(l -> l.contains(" javafx.") || l.contains(" java.awt.")
                    || l.contains(" com.sun.javafx.") || l.contains("dev.nexus.services.tray.")).toList();
            assertTrue(toolkit.isEmpty(), args + " loaded: " + toolkit);
            if (args.contains("--help") && args.size() == 1) {
                assertTrue(out.contains("tray"), "the tray command is listed:\n" + out);
            }
        }
    }

    @Test
    void trayHelpDescribesIt() throws Exception {
        String out = String.join("\n", run(List.of("tray", "--help")).lines()
                .filter(l -> !l.contains("[class,load]")).toList());
        assertTrue(out.contains("--dashboard") && out.contains("Quitting the tray leaves services running"), out);
        assertFalse(out.contains("Exception"), out);
    }

    private String run(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Fixtures.javaBinary());
        cmd.addAll(Fixtures.JVM_FLAGS);
        cmd.add("-Xlog:class+load=info");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.nexus.services.cli.Main");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put(NexusPaths.ROOT_VARIABLE, root.toString());
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(p.exitValue() == 0 || p.exitValue() == 1, args + " exited " + p.exitValue() + ": "
                + out.lines().filter(l -> !l.contains("[class,load]")).toList());
        return out;
    }
}

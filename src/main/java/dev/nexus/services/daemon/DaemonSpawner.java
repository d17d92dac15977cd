package dev.nexus.services.daemon;

import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.logs.LogTail;
import dev.nexus.services.support.InheritedEnvironment;
import dev.nexus.services.support.NexusPaths;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the engine as a detached background process (own session, stdin from /dev/null, output
 * to engine.out) and waits until its control socket answers.
 */
public final class DaemonSpawner {
    /** Flags that keep the always-on daemon small (see docs/BENCHMARKS.md for the figures). */
    public static final List<String> DAEMON_JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xmn1m",
            "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=16m", "-Xss512k",
            "-XX:MaxMetaspaceSize=64m", "-XX:-UsePerfData", "-Xshare:auto");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private DaemonSpawner() {
    }

    /** The command that runs {@code nexus-services daemon} with the same installation as this JVM. */
    static List<String> daemonCommand() {
        List<String> cmd = new ArrayList<>();
        String launcher = System.getProperty("nexus.launcher");
        if (launcher != null && Files.isExecutable(Path.of(launcher))) {
            cmd.add(launcher);
        } else {
            cmd.add(ProcessHandle.current().info().command().orElse(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(DAEMON_JVM_FLAGS);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("dev.nexus.services.cli.Main");
        }
        cmd.add("daemon");
        cmd.add("--detached");
        return cmd;
    }

    /** Starts a daemon unless one answers already; returns once it answers. */
    public static void ensureRunning(NexusPaths paths) throws IOException {
        if (answers(paths)) {
            return;
        }
        Files.createDirectories(paths.logs());
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid"); // not in the terminal's process group: Ctrl-C in the shell must not kill it
        }
        cmd.addAll(daemonCommand());
        Path out = paths.logs().resolve("engine.out");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File(isWindows() ? "NUL" : "/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectErrorStream(true);
        pb.environment().put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        InheritedEnvironment.clean(pb.environment());
        if (System.getProperty("nexus.launcher") != null) {
            pb.environment().put("NEXUS_JAVA_OPTS", String.join(" ", DAEMON_JVM_FLAGS));
        }
        Process p = pb.start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (answers(paths)) {
                return;
            }
            if (!p.isAlive() && !answers(paths)) {
                // It may have lost a race with another daemon that now answers; otherwise it failed.
                if (answers(paths)) {
                    return;
                }
                throw new IOException("the engine exited at once (exit " + p.exitValue() + "): "
                        + lastLines(out) + " (see " + out + " and " + paths.engineLog() + ")");
            }
            sleep(25);
        }
        throw new IOException("the engine did not answer within " + READY_TIMEOUT.toSeconds() + " s (see "
                + paths.engineLog() + ")");
    }

    static boolean answers(NexusPaths paths) {
        try (ControlClient c = ControlClient.connect(paths.controlSocket(), Duration.ofSeconds(2))) {
            return true;
        } catch (EngineNotRunningException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static String lastLines(Path file) {
        try {
            return String.join(" | ", LogTail.lastLines(file, 3));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.nexus.services.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an exec probe's command with its output sent to files (no reader threads), then judges it by
 * exit code: 0 OK, 1 DEGRADED, anything else FAIL. A JSON object or array on stdout becomes detail.
 */
final class ExecProbe {
    private static final Logger LOG = LoggerFactory.getLogger(ExecProbe.class);
    private static final int MAX_LINE = 200;

    private ExecProbe() {
    }

    /**
     * {@code env} is the complete environment, or null to inherit the engine's.
     * Called on the factory's I/O pool (starting a process blocks while the JDK forks); the process
     * tree is killed on {@code killer} when the try is abandoned, off the timer thread.
     */
    static void start(List<String> command, Map<String, String> env, Path scratchDir, Path workingDir,
                      ProbeAttempt attempt, Executor killer) {
        Path out = null;
        Path err = null;
        try {
            Files.createDirectories(scratchDir);
            out = Files.createTempFile(scratchDir, "exec-probe-", ".out");
            err = Files.createTempFile(scratchDir, "exec-probe-", ".err");
        } catch (IOException e) {
            deleteQuietly(out);
            attempt.fail("cannot create probe output files in " + scratchDir + ": " + e.getMessage());
            return;
        }
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            if (env != null) {
                builder.environment().clear();
                builder.environment().putAll(env);
            }
            process = builder.start();
        } catch (IOException e) {
            deleteQuietly(out);
            deleteQuietly(err);
            attempt.fail(startFailure(command.get(0), e));
            return;
        }
        closeStdin(process);
        // On timeout (or cancel) the whole tree goes, so a shell wrapper cannot leave its sleep behind.
        attempt.onAbandon(() -> {
            try {
                killer.execute(() -> killTree(process));
            } catch (RejectedExecutionException e) {
                killTree(process);
            }
        });
        Path stdout = out;
        Path stderr = err;
        process.onExit().whenComplete((p, e) -> {
            try {
                if (!attempt.isDone()) {
                    judge(process.exitValue(), stdout, stderr, attempt);
                }
            } catch (RuntimeException ex) {
                attempt.fail("reading probe output failed: " + ex);
            } finally {
                deleteQuietly(stdout);
                deleteQuietly(stderr);
            }
        });
    }

    private static void judge(int exit, Path stdout, Path stderr, ProbeAttempt attempt) {
        JsonNode detail = null;
        String stdoutLine = null;
        try {
            if (Files.size(stdout) <= ProbeFactory.MAX_DETAIL_BYTES) {
                byte[] bytes = Files.readAllBytes(stdout);
                detail = ProbeFactory.parseJsonContainer(bytes);
                if (detail == null) {
                    stdoutLine = firstLine(new String(bytes, StandardCharsets.UTF_8));
                }
            } else {
                stdoutLine = firstLine(stdout);
            }
        } catch (IOException e) {
            LOG.debug("reading exec probe stdout {} failed", stdout, e);
        }
        String errLine = null;
        try {
            errLine = firstLine(stderr);
        } catch (IOException e) {
            LOG.debug("reading exec probe stderr {} failed", stderr, e);
        }
        String line = errLine != null ? errLine : stdoutLine;
        String message = "exit " + exit + (line == null ? "" : ": " + line);
        Outcome outcome = switch (exit) {
            case 0 -> Outcome.OK;
            case 1 -> Outcome.DEGRADED;
            default -> Outcome.FAIL;
        };
        attempt.finish(outcome, message, detail);
    }

    private static String startFailure(String program, IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        // The JDK reports ENOENT (and Windows' ERROR_FILE_NOT_FOUND) as "error=2,".
        if (m.contains("error=2,")) {
            return "command not found: " + program;
        }
        if (m.contains("error=13,")) {
            return "permission denied: " + program;
        }
        return "cannot run " + program + ": " + ProbeFactory.message(e);
    }

    private static void closeStdin(Process process) {
        try {
            // EOF at once, so a command that reads stdin does not wait for input that never comes.
            process.getOutputStream().close();
        } catch (IOException e) {
            LOG.trace("closing exec probe stdin failed", e);
        }
    }

    static void killTree(Process process) {
        // Collect the descendants before the parent dies: orphans are re-parented and lost to us.
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private static String firstLine(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4096);
            return firstLine(new String(head, StandardCharsets.UTF_8));
        }
    }

    private static String firstLine(String text) {
        return text.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .map(line -> line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line)
                .findFirst()
                .orElse(null);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("could not delete exec probe output {}", file, e);
        }
    }
}

package dev.nexus.services.reliability;

import static dev.nexus.services.reliability.FaultRig.healthy;
import static dev.nexus.services.reliability.FaultRig.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.it.Launcher;
import dev.nexus.services.it.Wait;
import dev.nexus.services.reliability.FaultRig.Proc;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files under the engine failing while it runs, with two fixture daemons ({@code chatty}: 100 lines
 * a second to stdout and stderr; {@code steady}: quiet):
 * <ul>
 *   <li><b>disk full</b>: the whole state directory on a 2 MiB tmpfs that the test then fills;</li>
 *   <li><b>read-only state directory</b>: a read-only bind mount of it, made while the engine runs;</li>
 *   <li><b>log directory deleted</b> while the engine runs.</li>
 * </ul>
 * Each time: the running services keep running (same pids, healthy), {@code status} and {@code doctor}
 * say what is wrong and where, a service that has to start meanwhile fails with the reason instead of
 * running unrecorded, nothing is half written (services.json, desired.json and the child records parse,
 * no temp file is left, the logs end with whole lines), and once the fault is gone everything works
 * again. Mounts need root (or CAP_SYS_ADMIN); without, the first two are skipped (see {@link Mounts}).
 */
class DiskFaultsReliabilityIT {
    /** What chatty writes: its marker once, then numbered lines. */
    private static final Pattern LOG_LINE = Pattern.compile("(out|err) \\d+|fault-marker-\\S+");
    /** How long the services are watched to keep running while the fault lasts (sampling, not synchronising). */
    private static final Duration KEEP_RUNNING_WINDOW = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private static String catalog(FaultRig rig, int chattyPort, int steadyPort) {
        return new FaultCatalog()
                .add(FaultCatalog.daemon(rig, "chatty", chattyPort, "--listen", String.valueOf(chattyPort), "--chatty", "100"))
                .add(FaultCatalog.daemon(rig, "steady", steadyPort, "--listen", String.valueOf(steadyPort)))
                .text();
    }

    @Test
    void aFullDiskIsReportedServicesKeepRunningAndNothingIsHalfWritten() throws Exception {
        assumeTrue(Mounts.available(dir), "needs mount(8) (root or CAP_SYS_ADMIN) for a small tmpfs");
        ScenarioFigures.run("disk-full", figures -> {
            FaultRig rig = FaultRig.in(dir);
            try (Mounts.Mount state = Mounts.tmpfs(rig.paths().state(), "2m")) {
                try (FaultRig r = rig) {
                    String catalog = catalog(rig, FaultCatalog.freePort(), FaultCatalog.freePort());
                    rig.writeCatalog(catalog);
                    rig.expect(0, "up");
                    Map<String, Long> pids = pids(rig.snapshot());

                    long began = System.nanoTime();
                    long filled = fill(rig.paths().state().resolve("filler"));
                    figures.put("fillerBytes", filled);
                    JsonNode reported = rig.awaitSnapshot("the full disk among the engine's problems", snap ->
                            problems(snap).contains("cannot write " + rig.paths().stdoutLog("chatty"))
                                    && problems(snap).contains("No space left on device"));
                    figures.put("fullToReportedMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
                    assertTrue(problems(reported).contains("chatty's output is dropped until it can be written; "
                            + "the service keeps running"), problems(reported));

                    Launcher.Result status = rig.expect(0, "status");
                    assertTrue(status.out().contains("warning: cannot write " + rig.paths().stdoutLog("chatty")),
                            "status says which file and why: " + status);
                    Launcher.Result doctor = rig.expect(1, "doctor");
                    assertTrue(doctor.out().contains("✖ the disk where logs are written is full"), doctor.toString());

                    keepRunning(rig, pids);

                    // A start meanwhile fails with the reason; it never runs a child it could not record.
                    rig.expect(0, "stop", "steady");
                    Launcher.Result start = rig.cli("start", "steady");
                    JsonNode steady = service(rig.snapshot(), "steady");
                    assertTrue(steady.path("message").asText().contains("No space left on device"),
                            "the start fails saying why: " + steady.toPrettyString() + "\n" + start);
                    assertFalse(steady.path("pid").isNumber(), steady.toPrettyString());
                    assertEquals(List.of(), FaultRig.withMarker(rig.processes(), FaultCatalog.marker(rig, "steady")),
                            "no unrecorded steady runs");
                    assertTrue(problems(rig.snapshot()).contains("cannot save " + rig.paths().run().resolve("desired.json")),
                            "the unsaved desired state is a problem too: " + problems(rig.snapshot()));
                    assertNothingHalfWritten(rig, catalog);

                    // Space again: the problems go, the log goes on, steady starts.
                    long freedAt = System.nanoTime();
                    Files.delete(rig.paths().state().resolve("filler"));
                    rig.expect(0, "start", "steady");
                    rig.awaitSnapshot("no problem left once there is space", snap -> problems(snap).equals("[]"));
                    figures.put("freedToClearMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt));
                    JsonNode after = rig.awaitSnapshot("both healthy", snap ->
                            healthy(service(snap, "chatty")) && healthy(service(snap, "steady")));
                    assertEquals(pids.get("chatty"), service(after, "chatty").path("pid").asLong(), "chatty never restarted");
                    assertEquals(0, service(after, "chatty").path("restarts").asInt());
                    long size = Files.size(rig.paths().stdoutLog("chatty"));
                    Wait.until("chatty's log to grow again", FaultRig.WAIT, () -> sizeOf(rig.paths().stdoutLog("chatty")) > size);
                    assertNothingHalfWritten(rig, catalog);
                    figures.put("servicesKeptRunning", true).put("halfWrittenFiles", 0);
                }
            }
        });
    }

    /**
     * The engine's own log on a full disk (a link to /dev/full: the tmpfs above leaves the log's last page
     * free, and the engine logs too little to fill it): among the problems, and gone once it can be written.
     */
    @Test
    void anEngineLogThatCannotBeWrittenIsAProblemUntilItCanBeAgain() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full");
        ScenarioFigures.run("engine-log-full", figures -> {
            try (FaultRig rig = FaultRig.in(dir)) {
                rig.writeCatalog(catalog(rig, FaultCatalog.freePort(), FaultCatalog.freePort()));
                Path log = rig.paths().engineLog();
                Files.createDirectories(log.getParent());
                Files.createSymbolicLink(log, full);
                rig.expect(0, "up");
                long began = System.nanoTime();
                rig.awaitSnapshot("the engine's own log among the problems", snap ->
                        problems(snap).contains("cannot write " + log + " (No space left on device): the engine's "
                                + "own log is lost until it can be written; services keep running"));
                figures.put("upToReportedMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));

                Files.delete(log);
                Files.createFile(log); // the same path with room again, not a deleted log started anew
                long freedAt = System.nanoTime();
                rig.awaitSnapshot("no problem left once the log can be written", snap -> problems(snap).equals("[]"));
                figures.put("freedToClearMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt));
                Wait.until("the gap told in the log", FaultRig.WAIT, () -> text(log).contains("could not be written from"));
            }
        });
    }

    @Test
    void aReadOnlyStateDirIsReportedServicesKeepRunningAndNothingIsHalfWritten() throws Exception {
        boolean mounts = Mounts.available(dir);
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(mounts || !root, "as root only a read-only mount stops writes, and mount(8) is not allowed here");
        ScenarioFigures.run("state-dir-read-only", figures -> {
            try (FaultRig rig = FaultRig.in(dir)) {
                String catalog = catalog(rig, FaultCatalog.freePort(), FaultCatalog.freePort());
                rig.writeCatalog(catalog);
                rig.expect(0, "up");
                Map<String, Long> pids = pids(rig.snapshot());
                figures.put("method", mounts ? "read-only bind mount" : "chmod a-w (not root)");
                String why = mounts ? "Read-only file system" : "Permission denied";

                AutoCloseable readOnly = mounts ? Mounts.readOnly(rig.paths().state()) : chmodReadOnly(rig.paths().state());
                try {
                    Launcher.Result doctor = rig.expect(1, "doctor");
                    assertTrue(doctor.out().contains("✖ cannot write to " + rig.paths().state()), doctor.toString());

                    keepRunning(rig, pids);

                    // A service that dies now cannot be started again (no FIFO, no record can be made): it says so
                    // and runs no unrecorded copy; the other runs on.
                    long steadyPid = pids.get("steady");
                    assertTrue(ProcessHandle.of(steadyPid).orElseThrow().destroyForcibly());
                    JsonNode failing = rig.awaitSnapshot("steady's restart failing with the reason", snap -> {
                        JsonNode s = service(snap, "steady");
                        return s.path("lastExit").asText().equals("failed to start")
                                && s.path("message").asText().contains(why);
                    });
                    assertFalse(service(failing, "steady").path("pid").isNumber());
                    Launcher.Result status = rig.cli("status", "steady");
                    assertTrue(status.out().contains(why), "status shows why: " + status);
                    rig.cli("stop", "steady");
                    assertTrue(problems(rig.snapshot()).contains("cannot save " + rig.paths().run().resolve("desired.json")),
                            "the unsaved desired state is among the problems: " + problems(rig.snapshot()));
                    assertEquals(List.of(), FaultRig.withMarker(rig.processes(), FaultCatalog.marker(rig, "steady")));
                    assertEquals(pids.get("chatty"), service(rig.snapshot(), "chatty").path("pid").asLong(), "chatty runs on");
                    assertNothingHalfWritten(rig, catalog);
                } finally {
                    readOnly.close();
                }
                rig.expect(0, "start", "steady");
                rig.awaitSnapshot("no problem left once it is writable", snap -> problems(snap).equals("[]"));
                assertNothingHalfWritten(rig, catalog);
                assertEquals(pids.get("chatty"), service(rig.snapshot(), "chatty").path("pid").asLong(), "chatty never restarted");
                figures.put("servicesKeptRunning", true).put("halfWrittenFiles", 0);
            }
        });
    }

    @Test
    void aDeletedLogDirIsStartedAgainAndNothingElseNotices() throws Exception {
        ScenarioFigures.run("log-dir-deleted", figures -> {
            try (FaultRig rig = FaultRig.in(dir)) {
                String catalog = catalog(rig, FaultCatalog.freePort(), FaultCatalog.freePort());
                rig.writeCatalog(catalog);
                rig.expect(0, "up");
                Map<String, Long> pids = pids(rig.snapshot());

                long deletedAt = System.nanoTime();
                deleteTree(rig.paths().logs());
                Wait.until("chatty's log started again", FaultRig.WAIT,
                        () -> sizeOf(rig.paths().stdoutLog("chatty")) > 0);
                figures.put("deletedToLogAgainMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deletedAt));
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(rig.paths().logs())),
                        "made again private");
                Launcher.Result logs = rig.expect(0, "logs", "chatty", "-n", "1");
                assertTrue(LOG_LINE.matcher(logs.out().trim()).matches(), logs.toString());

                // The engine's own log starts again at its next message.
                rig.expect(0, "restart", "steady");
                Wait.until("engine.log started again", FaultRig.WAIT, () -> sizeOf(rig.paths().engineLog()) > 0);
                Launcher.Result engineLog = rig.expect(0, "logs", "engine", "-n", "100");
                assertTrue(engineLog.out().contains("steady: started pid"), "the engine logs again: " + engineLog);

                keepRunning(rig, Map.of("chatty", pids.get("chatty")));
                Launcher.Result doctor = rig.expect(0, "doctor");
                assertFalse(doctor.out().contains("✖"), doctor.toString());
                assertEquals("[]", problems(rig.snapshot()));
                assertNothingHalfWritten(rig, catalog);
                figures.put("servicesKeptRunning", true).put("engineLogStartedAgain", true);
            }
        });
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Map<String, Long> pids(JsonNode snapshot) {
        assertTrue(healthy(service(snapshot, "chatty")) && healthy(service(snapshot, "steady")), snapshot.toPrettyString());
        return Map.of("chatty", service(snapshot, "chatty").path("pid").asLong(),
                "steady", service(snapshot, "steady").path("pid").asLong());
    }

    private static String problems(JsonNode snapshot) {
        return snapshot.path("engine").path("problems").toString();
    }

    /** Every look during the window: the same processes, alive and healthy. */
    private static void keepRunning(FaultRig rig, Map<String, Long> pids) throws InterruptedException {
        long until = System.nanoTime() + KEEP_RUNNING_WINDOW.toNanos();
        while (System.nanoTime() < until) {
            JsonNode snap = rig.snapshot();
            pids.forEach((name, pid) -> {
                JsonNode s = service(snap, name);
                assertTrue(healthy(s), name + " keeps running healthy: " + s.toPrettyString());
                assertEquals(pid.longValue(), s.path("pid").asLong(), name + " was not restarted");
                assertTrue(Proc.read(pid).map(p -> !p.zombie()).orElse(false), name + "'s process lives");
            });
            Thread.sleep(100); // sampling the window
        }
    }

    /** Writes until the file system is full; returns how much fitted. */
    private static long fill(Path filler) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return written;
    }

    private static AutoCloseable chmodReadOnly(Path state) throws IOException {
        List<Path> dirs;
        try (Stream<Path> all = Files.walk(state)) {
            dirs = all.filter(Files::isDirectory).toList();
        }
        List<String> before = new ArrayList<>();
        for (Path d : dirs) {
            before.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("r-x------"));
        }
        return () -> {
            for (int i = 0; i < dirs.size(); i++) {
                Files.setPosixFilePermissions(dirs.get(i), PosixFilePermissions.fromString(before.get(i)));
            }
        };
    }

    /**
     * services.json is the user's, unchanged; the engine's state files are whole JSON; no temp file is
     * left; each service log ends with a whole line (a write cut short by the full disk was cut back).
     */
    private static void assertNothingHalfWritten(FaultRig rig, String catalog) throws IOException {
        assertEquals(catalog, Files.readString(rig.paths().catalogFile(), StandardCharsets.UTF_8));
        Path desired = rig.paths().run().resolve("desired.json");
        if (Files.exists(desired)) {
            assertTrue(parse(desired).path("services").isObject(), desired.toString());
        }
        try (Stream<Path> files = Files.walk(rig.paths().state())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                assertFalse(name.endsWith(".tmp"), "a temp file was left behind: " + f);
                if (f.getParent().getFileName().toString().equals("children") && name.endsWith(".json")) {
                    JsonNode r = parse(f);
                    assertTrue(r.path("pid").isNumber() && r.path("command").isArray(), f + ": " + r);
                }
                if (name.startsWith("chatty") && name.contains(".log")) {
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    if (!text.isEmpty()) {
                        assertTrue(text.endsWith("\n"), f + " ends in half a line: …"
                                + text.substring(Math.max(0, text.length() - 40)));
                        for (String line : text.split("\n")) {
                            assertTrue(LOG_LINE.matcher(line).matches(), f + " has a broken line: \"" + line + "\"");
                        }
                    }
                }
            }
        }
    }

    private static JsonNode parse(Path file) {
        try {
            return Json.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            fail(file + " does not parse: " + e.getMessage());
            return null;
        }
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

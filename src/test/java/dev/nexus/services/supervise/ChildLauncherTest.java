package dev.nexus.services.supervise;

import static dev.nexus.services.supervise.TestSupport.await;
import static dev.nexus.services.supervise.TestSupport.awaitTrue;
import static dev.nexus.services.supervise.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildLauncherTest {
    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path root;
    private final RecordingSinks sinks = new RecordingSinks();
    private final TestSupport.Reaper reaper = new TestSupport.Reaper();
    private NexusPaths paths;
    private ChildLauncher launcher;
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(OperatingSystem.CURRENT.isPosix(), "FIFO-based launching is POSIX");
        paths = new NexusPaths(root);
        work = Files.createDirectories(root.resolve("work"));
        launcher = new ChildLauncher(paths, sinks, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        reaper.close();
    }

    private ChildProcess launch(String service, List<String> command) throws LaunchException {
        return launch(request(service, work, command));
    }

    private ChildProcess launch(LaunchRequest request) throws LaunchException {
        ChildProcess child = launcher.launch(request);
        reaper.add(child.pid());
        return child;
    }

    @Test
    void stdoutAndStderrReachTheirOwnSinks() throws Exception {
        ChildProcess child = launch("talker", Fixtures.command("--say", "hello on stdout", "--say-err", "hello on stderr"));

        sinks.awaitOut("talker", "hello on stdout", START);
        sinks.awaitErr("talker", "hello on stderr", START);
        assertFalse(sinks.out("talker").contains("stderr"), sinks.out("talker"));
        assertFalse(sinks.err("talker").contains("stdout"), sinks.err("talker"));
        assertTrue(child.isAlive());
        assertFalse(child.adopted());
        await(child.stop(Duration.ofSeconds(5)), Duration.ofSeconds(10));
    }

    @Test
    void exitCodeIsReportedWithinMillisecondsOfTheExit() throws Exception {
        ChildProcess child = launch("crasher", Fixtures.command("--crash-after", "300ms", "--exit-code", "3"));

        ExitStatus status = await(child.exited(), START);

        assertEquals(3, status.code());
        String out = sinks.awaitOut("crasher", "exiting at ", Duration.ofSeconds(5));
        Matcher m = Pattern.compile("exiting at (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        // Measured from the child's last words, so JVM start-up does not count; generous because the
        // fixture JVM itself needs a moment to halt on a loaded 2-core machine.
        long exitToReport = status.at().toEpochMilli() - Long.parseLong(m.group(1));
        assertTrue(exitToReport < 1000, "exit reported " + exitToReport + " ms after the child's last words");
        assertFalse(child.isAlive());
        awaitTrue("the record to be removed", Duration.ofSeconds(2), () -> !launcher.recordedServices().contains("crasher"));
        awaitTrue("the sinks to be closed", Duration.ofSeconds(2),
                () -> sinks.capture("crasher", false).allClosed() && sinks.capture("crasher", true).allClosed());
    }

    @Test
    void exitOfAShellIsReportedAtOnce() throws Exception {
        ChildProcess child = launch("quick", List.of("/bin/sh", "-c", "sleep 0.2; date +%s%3N; exit 7"));

        ExitStatus status = await(child.exited(), START);

        assertEquals(7, status.code());
        String said = sinks.awaitOut("quick", "\n", Duration.ofSeconds(5)).trim();
        assumeTrue(said.matches("\\d{13}"), "date prints milliseconds here");
        long exitToReport = status.at().toEpochMilli() - Long.parseLong(said);
        assertTrue(exitToReport < 400, "exit reported " + exitToReport + " ms after the child's last words");
    }

    @Test
    void outputOfAShortLivedChildIsDrainedCompletely() throws Exception {
        Path script = work.resolve("burst.sh");
        Files.writeString(script, "#!/bin/sh\ni=0\nwhile [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

        ChildProcess child = launch("burst", List.of(script.toString()));

        assertEquals(0, await(child.exited(), START).code());
        awaitTrue("all output to be drained", Duration.ofSeconds(5), () -> sinks.capture("burst", false).allClosed());
        String[] lines = sinks.out("burst").split("\n");
        assertEquals(2000, lines.length);
        assertEquals("line 1999", lines[1999]);
    }

    @Test
    void aFailingSinkDoesNotStopTheDrainingSoTheChildNeverBlocks() throws Exception {
        OutputSinks broken = (request, stderr) -> new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("disk full");
            }
        };
        ChildLauncher withBrokenLogs = new ChildLauncher(paths, broken, Clock.systemUTC());
        // Far more than a pipe holds (64 KiB on Linux, 16 KiB on macOS): undrained, the child would block.
        ChildProcess child = withBrokenLogs.launch(request("flood", work,
                List.of("/bin/sh", "-c", "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; exit 5")));
        reaper.add(child.pid());

        assertEquals(5, await(child.exited(), START).code());
    }

    @Test
    void missingProgramIsBinaryMissing() throws Exception {
        Path emptyBin = Files.createDirectories(root.resolve("bin"));
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(
                request("gateway", work, List.of("nexus", "gateway-daemon"), Map.of("PATH", emptyBin.toString()))));

        assertEquals(FailureReason.BINARY_MISSING, e.reason());
        assertEquals("nexus not found on PATH (" + emptyBin + ")", e.getMessage());
        assertTrue(launcher.recordedServices().isEmpty());

        LaunchException absolute = assertThrows(LaunchException.class, () -> launcher.launch(
                request("gateway", work, List.of(root.resolve("nowhere/nexus").toString()))));
        assertEquals(FailureReason.BINARY_MISSING, absolute.reason());
        assertTrue(absolute.getMessage().contains("does not exist"), absolute.getMessage());

        LaunchException noPath = assertThrows(LaunchException.class, () -> launcher.launch(
                request("gateway", work, List.of("nexus"), Map.of())));
        assertEquals(FailureReason.BINARY_MISSING, noPath.reason());
    }

    @Test
    void programWithoutExecutePermissionIsBinaryMissing() throws Exception {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path nexus = Files.writeString(bin.resolve("nexus"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(nexus, PosixFilePermissions.fromString("rw-------"));

        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(
                request("gateway", work, List.of("nexus"), Map.of("PATH", bin.toString()))));

        assertEquals(FailureReason.BINARY_MISSING, e.reason());
        assertTrue(e.getMessage().contains(nexus + " but it is not executable"), e.getMessage());
    }

    @Test
    void missingWorkingDirectoryIsAConfigError() throws Exception {
        Path missing = root.resolve("no-such-dir");
        LaunchException e = assertThrows(LaunchException.class,
                () -> launcher.launch(request("gateway", missing, List.of("true"))));
        assertEquals(FailureReason.CONFIG, e.reason());
        assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());

        Path file = Files.writeString(root.resolve("a-file"), "x");
        LaunchException notDir = assertThrows(LaunchException.class,
                () -> launcher.launch(request("gateway", file, List.of("true"))));
        assertEquals(FailureReason.CONFIG, notDir.reason());
    }

    @Test
    void serviceNamesThatCannotNameFilesAreRefused() {
        LaunchException e = assertThrows(LaunchException.class,
                () -> launcher.launch(request("../escape", work, List.of("true"))));
        assertEquals(FailureReason.CONFIG, e.reason());
    }

    @Test
    void environmentIsExactlyTheRequestedOne() throws Exception {
        // PWD and SHLVL are ones a shell likes to add or rewrite: the child must still see exactly these.
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "NEXUS_AGENT_ID", "echo with spaces",
                "EMPTY", "", "PWD", "/not/the/working/dir");
        ChildProcess child = launch(request("envdump", work, List.of("env"), env));

        await(child.exited(), START);
        awaitTrue("the output to be drained", Duration.ofSeconds(5), () -> sinks.capture("envdump", false).allClosed());
        Set<String> lines = new TreeSet<>(Arrays.asList(sinks.out("envdump").split("\n")));
        assertEquals(Set.of("PATH=/usr/bin:/bin", "NEXUS_AGENT_ID=echo with spaces", "EMPTY=", "PWD=/not/the/working/dir"),
                lines);

        ChildProcess bare = launch(request("envdump2", work, List.of("/usr/bin/env"), Map.of("ONLY", "1")));
        await(bare.exited(), START);
        awaitTrue("the output to be drained", Duration.ofSeconds(5), () -> sinks.capture("envdump2", false).allClosed());
        assertEquals("ONLY=1\n", sinks.out("envdump2"));
    }

    @Test
    void fixtureReportsSecretsOnlyAsHashes() throws Exception {
        String secret = "s3cr3t-token-value";
        ChildProcess child = launch(request("secretive", work,
                Fixtures.command("--print-env", "NEXUS_TOKEN", "--print-env", "ABSENT", "--print-env-names", "--exit-code", "0"),
                Map.of("NEXUS_TOKEN", secret)));

        await(child.exited(), START);
        String out = sinks.awaitOut("secretive", "env-names", Duration.ofSeconds(5));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        assertTrue(out.contains("NEXUS_TOKEN sha256=" + hash), out);
        assertTrue(out.contains("ABSENT unset"), out);
        assertTrue(out.contains("env-names NEXUS_TOKEN\n"), out);
        assertFalse(out.contains(secret), out);
    }

    @Test
    void recordAndFifosDescribeTheChild() throws Exception {
        List<String> command = Fixtures.command("--say", "hi");
        ChildProcess child = launch("recorded", command);

        Path dir = launcher.childrenDir();
        assertEquals(Set.of("recorded"), launcher.recordedServices());
        JsonNode record = Json.MAPPER.readTree(dir.resolve("recorded.json").toFile());
        assertEquals(child.pid(), record.get("pid").asLong());
        assertEquals(command, Json.MAPPER.convertValue(record.get("command"), List.class));
        Instant started = Instant.parse(record.get("startedAt").asText());
        assertEquals(ProcessHandle.of(child.pid()).orElseThrow().info().startInstant().orElseThrow(), started);
        assertEquals(dir.resolve("recorded.out").toString(), record.get("stdoutFifo").asText());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.run())));
        for (String stream : List.of("out", "err")) {
            Path fifo = dir.resolve("recorded." + stream);
            int mode = (Integer) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(0010000, mode & 0170000, fifo + " is a FIFO");
            assertEquals(0600, mode & 0777, fifo + " mode");
        }
        assertFalse(Files.list(dir).anyMatch(p -> p.toString().endsWith(".tmp")));

        await(child.stop(Duration.ofSeconds(5)), Duration.ofSeconds(10));
        assertTrue(launcher.recordedServices().isEmpty());
    }

    @Test
    void childLeadsItsOwnProcessGroupAndKeepsThePid() throws Exception {
        assumeTrue(launcher.usesProcessGroups(), "setsid is available");
        Path pidFile = root.resolve("leader.pid");
        ChildProcess child = launch("leader", Fixtures.command("--pid-file", pidFile.toString()));

        assertEquals(Long.toString(child.pid()), TestSupport.awaitFile(pidFile, START));
        ProcStat stat = ProcStat.read(child.pid()).orElseThrow();
        assertEquals(child.pid(), stat.pgrp());
        await(child.stop(Duration.ofSeconds(5)), Duration.ofSeconds(10));
    }

    @Test
    void aSecondLaunchWhileRunningIsRefused() throws Exception {
        ChildProcess child = launch("single", Fixtures.command());
        assertThrows(IllegalStateException.class, () -> launcher.launch(request("single", work, Fixtures.command())));
        await(child.stop(Duration.ofSeconds(5)), Duration.ofSeconds(10));
    }
}

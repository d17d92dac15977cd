package dev.nexus.services.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.health.FailureReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small pure parts: program lookup, /proc parsing, command-line matching for adoption. */
class PosixPiecesTest {
    @TempDir
    Path root;

    private static Path executable(Path file) throws Exception {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void programsAreFoundOnTheChildsPathInOrder() throws Exception {
        assumeTrue(OperatingSystem.CURRENT.isPosix());
        Path first = Files.createDirectories(root.resolve("first"));
        Path second = Files.createDirectories(root.resolve("second"));
        Files.writeString(first.resolve("nexus"), "not executable");
        Path good = executable(second.resolve("nexus"));
        executable(second.resolve("other"));
        ExecutableResolver resolver = new ExecutableResolver(OperatingSystem.CURRENT);

        assertEquals(good, resolver.resolve("nexus", Map.of("PATH", first + ":" + second), root));
        assertEquals(good, resolver.resolve("./second/nexus", Map.of(), root), "relative to the working directory");
        assertEquals(good, resolver.resolve("nexus", Map.of("PATH", ":" + first), second), "empty entry = working dir");

        LaunchException dir = assertThrows(LaunchException.class, () -> resolver.resolve(second.toString(), Map.of(), root));
        assertEquals(FailureReason.BINARY_MISSING, dir.reason());
        assertTrue(dir.getMessage().contains("is a directory"), dir.getMessage());
        LaunchException empty = assertThrows(LaunchException.class, () -> resolver.resolve("", Map.of(), root));
        assertEquals(FailureReason.CONFIG, empty.reason());
    }

    @Test
    void statLinesWithAwkwardCommandNamesParse() {
        String line = "4242 (we) ird (name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 987654 1000000 300 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcStat stat = ProcStat.parse(4242, line);
        assertEquals('S', stat.state());
        assertEquals(1, stat.ppid());
        assertEquals(4242, stat.pgrp());
        assertEquals(987654, stat.startTicks());
        assertFalse(stat.exited());
        assertTrue(ProcStat.parse(7, "7 (z) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0").exited());
    }

    @Test
    void ownStatIsReadOnLinux() {
        assumeTrue(OperatingSystem.CURRENT == OperatingSystem.LINUX);
        ProcStat self = ProcStat.read(ProcessHandle.current().pid()).orElseThrow();
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), self.ppid());
        assertTrue(ProcessTree.isAlive(ProcessHandle.current()));
    }

    @Test
    void commandLinesMatchToleratingResolvedProgramsAndScripts() {
        LaunchRequest request = new LaunchRequest("gateway", List.of("nexus", "gateway-daemon", "--port", "18789"),
                root, Map.of(), null, Set.of());
        ChildRecord record = new ChildRecord("gateway", 1, null, null, request.command(), "/usr/local/bin/nexus",
                null, null, true, null);

        List<String> args = List.of("gateway-daemon", "--port", "18789");
        assertTrue(AdoptionCheck.commandMatches(concat("/usr/local/bin/nexus", args), "/usr/local/bin/nexus", record, request));
        // A script: the kernel runs "interpreter script args".
        assertTrue(AdoptionCheck.commandMatches(concat(List.of("/usr/bin/node", "/usr/local/bin/nexus"), args),
                "/usr/bin/node", record, request));
        // argv[0] rewritten, but the executable is ours.
        assertTrue(AdoptionCheck.commandMatches(concat("nexus: gateway", args), "/usr/local/bin/nexus", record, request));

        assertFalse(AdoptionCheck.commandMatches(concat("/usr/local/bin/nexus", List.of("gateway-daemon", "--port", "1")),
                "/usr/local/bin/nexus", record, request), "other arguments");
        assertFalse(AdoptionCheck.commandMatches(concat("/usr/bin/sleep", args), "/usr/bin/sleep", record, request),
                "other program");
        assertFalse(AdoptionCheck.commandMatches(List.of("18789"), "/usr/local/bin/nexus", record, request), "too short");
    }

    private static List<String> concat(String first, List<String> rest) {
        return concat(List.of(first), rest);
    }

    private static List<String> concat(List<String> first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(rest);
        return all;
    }
}

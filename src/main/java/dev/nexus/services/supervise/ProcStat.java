package dev.nexus.services.supervise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The few fields of Linux {@code /proc/<pid>/stat} the supervisor needs. Only read on Linux; callers
 * on other systems get empty answers and fall back to what {@link ProcessHandle} offers.
 *
 * @param state     one letter: R, S, D, Z (zombie), ...
 * @param pgrp      the process group id
 * @param startTicks start time in clock ticks since boot: with the pid, an identity that survives
 *                  clock changes
 */
record ProcStat(long pid, char state, long ppid, long pgrp, long startTicks) {
    private static final Path PROC = Path.of("/proc");

    /** A zombie has exited and holds nothing but its pid until its parent reaps it. */
    boolean exited() {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    static Optional<ProcStat> read(long pid) {
        if (OperatingSystem.CURRENT != OperatingSystem.LINUX) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"),
                    StandardCharsets.ISO_8859_1)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses a stat line; the command name in parentheses may itself contain spaces and ')'. */
    static ProcStat parse(long pid, String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc stat line: " + line);
        }
        String[] f = line.substring(close + 2).trim().split(" ");
        // After "pid (comm) ": [0]=state [1]=ppid [2]=pgrp ... [19]=starttime (field 22 of proc(5)).
        return new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[19]));
    }

    /** Live (not zombie) members of process group {@code pgid}; empty where /proc is unavailable. */
    static List<ProcStat> groupMembers(long pgid) {
        List<ProcStat> members = new ArrayList<>();
        if (OperatingSystem.CURRENT != OperatingSystem.LINUX) {
            return members;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                long pid = numericName(dir);
                if (pid > 0) {
                    read(pid).filter(s -> s.pgrp == pgid && !s.exited()).ifPresent(members::add);
                }
            }
        } catch (IOException e) {
            return members;
        }
        return members;
    }

    static long numericName(Path dir) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(name);
    }
}

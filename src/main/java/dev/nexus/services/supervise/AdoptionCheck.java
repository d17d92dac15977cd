package dev.nexus.services.supervise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a live pid is provably the child a record describes: same start time and the
 * requested command line. Anything that cannot be read counts as "not proven".
 */
final class AdoptionCheck {
    /** Start instants computed by two JVMs can differ by the kernel's boot-time rounding. */
    static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    private AdoptionCheck() {
    }

    /** Null when the process is the recorded child, else why it is not (for the log). */
    static String refusal(ChildRecord record, LaunchRequest request, ProcessHandle process, OperatingSystem os) {
        if (!request.service().equals(record.service())) {
            return "the record is for service \"" + record.service() + "\"";
        }
        if (!record.command().equals(request.command())) {
            return "it was started as " + record.command() + " but " + request.command() + " is requested now";
        }
        String startProblem = startRefusal(record, process, os);
        if (startProblem != null) {
            return startProblem;
        }
        List<String> live = liveCommandLine(process, os);
        if (live.isEmpty()) {
            return "its command line cannot be read";
        }
        if (!commandMatches(live, process.info().command().orElse(null), record, request)
                && !(sameProcessThisBoot(record, os) && writesToRecordedFifo(record, process))) {
            return "it now runs " + live + ", not " + request.command();
        }
        return null;
    }

    /**
     * A child may have replaced its program since it started (a wrapper script's {@code exec}): its command
     * line then differs, yet on Linux the pid and the exact start tick, already checked, name this one process
     * as long as the record is from the current boot (ticks count from boot); and its stdout still being the
     * FIFO the engine made for it shows it is the child that record was written for. Refusing it would start
     * a second copy next to the first and leave the first running unsupervised for good.
     */
    private static boolean sameProcessThisBoot(ChildRecord record, OperatingSystem os) {
        if (os != OperatingSystem.LINUX || record.startTicks() == null) {
            return false;
        }
        Optional<Instant> boot = bootTime();
        try {
            Instant started = record.startInstant();
            return boot.isPresent() && started != null && !started.isBefore(boot.get().minus(START_TOLERANCE));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether the process's stdout is the FIFO the record names (an inherited descriptor survives an exec). */
    private static boolean writesToRecordedFifo(ChildRecord record, ProcessHandle process) {
        if (record.stdoutFifo() == null) {
            return false;
        }
        try {
            Path stdout = Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "fd", "1"));
            return stdout.toString().equals(record.stdoutFifo());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The kernel's boot time ("btime" in /proc/stat). */
    private static Optional<Instant> bootTime() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("btime ")) {
                    return Optional.of(Instant.ofEpochSecond(Long.parseLong(line.substring(6).trim())));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: the caller then trusts the command line only
        }
        return Optional.empty();
    }

    private static String startRefusal(ChildRecord record, ProcessHandle process, OperatingSystem os) {
        if (os == OperatingSystem.LINUX && record.startTicks() != null) {
            Optional<ProcStat> stat = ProcStat.read(process.pid());
            if (stat.isEmpty()) {
                return "its start time cannot be read";
            }
            return stat.get().startTicks() == record.startTicks() ? null
                    : "it started at tick " + stat.get().startTicks() + ", the record says " + record.startTicks();
        }
        Instant recorded = record.startInstant();
        Instant actual = process.info().startInstant().orElse(null);
        if (recorded == null || actual == null) {
            return "its start time is unknown";
        }
        if (Duration.between(recorded, actual).abs().compareTo(START_TOLERANCE) > 0) {
            return "it started at " + actual + ", the record says " + recorded;
        }
        return null;
    }

    /**
     * The live argv ends with the requested arguments, and the program in front of them is the one
     * requested (compared by file name: the JVM sees the resolved executable, and a script shows up
     * as "interpreter script args").
     */
    static boolean commandMatches(List<String> live, String liveExecutable, ChildRecord record, LaunchRequest request) {
        List<String> args = request.command().subList(1, request.command().size());
        int programIndex = live.size() - args.size() - 1;
        if (programIndex < 0 || !live.subList(programIndex + 1, live.size()).equals(args)) {
            return false;
        }
        List<String> names = new ArrayList<>();
        names.add(baseName(request.command().get(0)));
        if (record.executable() != null) {
            names.add(baseName(record.executable()));
            realName(record.executable()).ifPresent(names::add);
        }
        if (names.contains(baseName(live.get(programIndex)))) {
            return true;
        }
        // argv[0] may be anything the program set; then the executable itself must match.
        return programIndex == 0 && liveExecutable != null && names.contains(baseName(liveExecutable));
    }

    /** The full argv: /proc/pid/cmdline on Linux, else what the JDK reports. Empty when unreadable. */
    static List<String> liveCommandLine(ProcessHandle process, OperatingSystem os) {
        if (os == OperatingSystem.LINUX) {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
                List<String> argv = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < raw.length; i++) {
                    if (raw[i] == 0) {
                        argv.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                        start = i + 1;
                    }
                }
                if (start < raw.length) {
                    argv.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
                }
                return argv;
            } catch (IOException e) {
                return List.of();
            }
        }
        ProcessHandle.Info info = process.info();
        if (info.command().isEmpty() || info.arguments().isEmpty()) {
            return List.of();
        }
        List<String> argv = new ArrayList<>();
        argv.add(info.command().get());
        argv.addAll(List.of(info.arguments().get()));
        return argv;
    }

    private static Optional<String> realName(String executable) {
        try {
            return Optional.of(baseName(Path.of(executable).toRealPath().toString()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static String baseName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }
}

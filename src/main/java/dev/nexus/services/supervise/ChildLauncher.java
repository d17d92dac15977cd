package dev.nexus.services.supervise;

import com.sun.jna.LastErrorException;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts daemons as child processes that outlive the engine, and takes them over again after an
 * engine restart.
 *
 * <p><b>POSIX.</b> A child writes its stdout and stderr into two FIFOs,
 * {@code run/children/<service>.out} and {@code .err}, which it opens itself read-write
 * ({@code 1<>fifo}): it always holds a reader of its own, so it never gets SIGPIPE when the engine
 * dies; with nobody draining, the pipe fills and the child blocks on output until a new engine reads
 * again. The engine reads each FIFO on a pump thread into the {@link OutputSinks}. On Linux the child
 * is started through {@code setsid}, which makes it the leader of its own session and process group
 * (pgid == pid), so a stop reaches grandchildren that were reparented. Where there is no
 * {@code setsid} (macOS) the child shares the engine's group and stop falls back to the descendant
 * tree ({@link ProcessHandle#descendants()}); a grandchild reparented away from it is then out of reach.
 *
 * <p>For each child {@code run/children/<service>.json} records pid, start time and command line.
 * {@link #adopt} takes a child over only when all three still match; otherwise it forgets the record
 * and leaves the process alone: it never signals a process it cannot prove it started.
 *
 * <p><b>Windows.</b> Plain pipes to the engine (a child does not survive the engine's output ending
 * well there), tree stop through {@link ProcessHandle}, adoption without output.
 */
public final class ChildLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ChildLauncher.class);
    private static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final String RECORD_SUFFIX = ".json";
    private static final int FIFO_MODE = 0600;
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final List<Path> SETSID_CANDIDATES = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));
    private static final Path ENV_TOOL = Path.of("/usr/bin/env");
    private static final Path SHELL = Path.of("/bin/sh");
    /** After SIGKILL a process normally vanishes in milliseconds; beyond this something is stuck. */
    private static final Duration LEFTOVER_KILL_WAIT = Duration.ofSeconds(10);
    /**
     * Waits for the engine's go-ahead on stdin (a line, sent once the child's record is written: no
     * program runs that a restarted engine could not re-adopt; end of input without it, because the
     * record could not be written or the engine died, ends the wrapper before the program ever runs),
     * opens the FIFOs (paths passed as arguments, never interpolated into the script) and replaces
     * itself with the command, so the pid stays the child's. The program's stdin is /dev/null.
     */
    static final String WRAPPER_SCRIPT = "out=$1; err=$2; shift 2; read -r go || exit 70; "
            + "exec \"$@\" </dev/null 1<>\"$out\" 2<>\"$err\"";
    private static final byte[] GO_AHEAD = "go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Variables that sh (dash, bash, zsh) sets itself; the env tool puts them back as requested. */
    private static final List<String> SHELL_SET_VARIABLES = List.of("PWD", "OLDPWD", "SHLVL", "_");

    private final NexusPaths paths;
    private final OutputSinks sinks;
    private final Clock clock;
    private final OperatingSystem os = OperatingSystem.CURRENT;
    private final ExecutableResolver resolver = new ExecutableResolver(os);
    private final Path setsid;
    private final Map<String, TrackedChild> active = new ConcurrentHashMap<>();

    public ChildLauncher(NexusPaths paths, OutputSinks sinks, Clock clock) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.setsid = os.isPosix()
                ? SETSID_CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElse(null)
                : null;
        if (os.isPosix() && setsid == null) {
            LOG.info("no setsid here: children share the engine's process group and stop follows the descendant tree only");
        }
    }

    /** Where the per-child FIFOs and records live. */
    public Path childrenDir() {
        return paths.run().resolve("children");
    }

    /** True when children get their own process group (pgid == pid). */
    public boolean usesProcessGroups() {
        return setsid != null;
    }

    /**
     * Starts the child.
     *
     * @throws LaunchException with {@link FailureReason#CONFIG} for a bad service name or working
     *                         directory, {@link FailureReason#BINARY_MISSING} when the program cannot be
     *                         found or executed, or a null reason when starting failed otherwise
     * @throws IllegalStateException when this launcher already runs a child for the service
     */
    public synchronized ChildProcess launch(LaunchRequest request) throws LaunchException {
        String service = request.service();
        requireValidName(service);
        Path workingDir = requireWorkingDir(request);
        Path executable = resolver.resolve(request.command().isEmpty() ? null : request.command().get(0),
                request.env(), workingDir);
        TrackedChild running = active.get(service);
        if (running != null && !running.exited().isDone()) {
            throw new IllegalStateException(service + " already runs as pid " + running.pid());
        }
        return os.isPosix() ? launchPosix(request, executable, workingDir) : launchWindows(request, executable, workingDir);
    }

    /**
     * Takes over the child recorded for {@code request.service()} by a previous engine when its pid
     * is alive, its start time matches and its command line is the requested one. Any other record
     * is deleted and the process it names left untouched.
     */
    public synchronized Optional<ChildProcess> adopt(LaunchRequest request) {
        String service = request.service();
        if (!SERVICE_NAME.matcher(service).matches()) {
            return Optional.empty();
        }
        TrackedChild running = active.get(service);
        if (running != null && !running.exited().isDone()) {
            return Optional.of(running);
        }
        Path recordFile = recordFile(service);
        if (!Files.exists(recordFile, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        ChildRecord record;
        try {
            record = Json.MAPPER.readValue(recordFile.toFile(), ChildRecord.class);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: unreadable child record {} ({}); forgetting it", service, recordFile, e.getMessage());
            deleteQuietly(recordFile);
            return Optional.empty();
        }
        Optional<ProcessHandle> handle = record.pid() > 0 ? ProcessHandle.of(record.pid()) : Optional.empty();
        String refusal = refusal(record, request, handle);
        if (refusal != null) {
            LOG.info("{}: not adopting pid {}: {}; record removed, process left alone", service, record.pid(), refusal);
            deleteQuietly(recordFile);
            return Optional.empty();
        }
        ProcessHandle leader = handle.get();
        boolean group = record.processGroup() && leadsOwnGroup(leader.pid());
        Instant startedAt = leader.info().startInstant().orElse(record.startInstant());
        TrackedChild child = new TrackedChild(service, null, leader, group, startedAt, clock, this::forget);
        List<OutputPump> pumps = os.isPosix() ? reattachOutput(request, record, child) : List.of();
        child.watch(pumps);
        active.put(service, child);
        LOG.info("{}: adopted pid {} started {}{}", service, leader.pid(), startedAt,
                pumps.isEmpty() ? " (output not re-attached)" : "");
        return Optional.of(child);
    }

    /**
     * Stops what a previous engine's child left running when that child died while no engine watched
     * it: the members of its process group (a grandchild that ignored SIGTERM during a stop the dead
     * engine never finished, or that outlived a crash). Call before {@link #adopt}, which forgets the
     * record of a dead child. Completes at once when there is nothing to stop; otherwise SIGTERM, then
     * after {@code grace} SIGKILL, and completes when they are gone.
     *
     * <p>They are provably the child's: the recorded process is dead (gone, or a zombie with the recorded
     * start time: an orphan that nobody reaps), and a process group id cannot be reused while any member
     * lives, so members of that group that started no earlier than the child are its heirs. Only Linux (where /proc lists groups) and
     * only children started in their own group.
     */
    public CompletableFuture<Void> stopLeftovers(LaunchRequest request, Duration grace) {
        Path recordFile = recordFile(request.service());
        if (os != OperatingSystem.LINUX || !SERVICE_NAME.matcher(request.service()).matches()
                || !Files.isRegularFile(recordFile, LinkOption.NOFOLLOW_LINKS)) {
            return CompletableFuture.completedFuture(null);
        }
        ChildRecord record;
        try {
            record = Json.MAPPER.readValue(recordFile.toFile(), ChildRecord.class);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(null); // adopt() reports and forgets it
        }
        if (!record.processGroup() || record.pid() <= 0 || record.startTicks() == null
                || !request.service().equals(record.service())) {
            return CompletableFuture.completedFuture(null);
        }
        Optional<ProcStat> leader = ProcStat.read(record.pid());
        if (leader.isPresent() && (!leader.get().exited() || leader.get().startTicks() != record.startTicks())) {
            // Alive: adoption's business. Another process with that pid: the group is long gone.
            return CompletableFuture.completedFuture(null);
        }
        List<ProcessHandle> left = new ArrayList<>();
        for (ProcStat member : ProcStat.groupMembers(record.pid())) {
            if (member.startTicks() >= record.startTicks()) {
                ProcessHandle.of(member.pid()).ifPresent(left::add);
            }
        }
        if (left.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        LOG.warn("{}: pid {} died while no engine watched it and left {} running in its process group; stopping "
                + "them (SIGTERM, then SIGKILL after {})", request.service(), record.pid(),
                left.stream().map(ProcessHandle::pid).toList(), grace);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread stopper = new Thread(() -> {
            try {
                stopAll(left, record.pid(), grace);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "leftover-stop-" + request.service());
        stopper.setDaemon(true);
        stopper.start();
        return done;
    }

    /** SIGTERM to each, SIGKILL to the survivors after {@code grace}; members that join the group meanwhile too. */
    private static void stopAll(List<ProcessHandle> processes, long pgid, Duration grace) {
        List<ProcessHandle> known = new ArrayList<>(processes);
        known.forEach(ProcessHandle::destroy);
        if (awaitGroupGone(known, pgid, grace, false)) {
            return;
        }
        known.forEach(ProcessHandle::destroyForcibly);
        if (!awaitGroupGone(known, pgid, LEFTOVER_KILL_WAIT, true)) {
            throw new IllegalStateException("processes of group " + pgid + " are still alive "
                    + LEFTOVER_KILL_WAIT.toSeconds() + " s after SIGKILL");
        }
    }

    private static boolean awaitGroupGone(List<ProcessHandle> known, long pgid, Duration limit, boolean force) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            List<ProcStat> members = ProcStat.groupMembers(pgid);
            for (ProcStat m : members) {
                if (known.stream().noneMatch(h -> h.pid() == m.pid())) {
                    ProcessHandle.of(m.pid()).ifPresent(h -> {
                        known.add(h); // forked meanwhile: gets what the others got
                        if (force) {
                            h.destroyForcibly();
                        } else {
                            h.destroy();
                        }
                    });
                }
            }
            if (members.isEmpty() && known.stream().noneMatch(ProcessTree::isAlive)) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Null when the record proves that the live process is the child it describes, else why not. */
    private String refusal(ChildRecord record, LaunchRequest request, Optional<ProcessHandle> handle) {
        return handle.isEmpty() || !ProcessTree.isAlive(handle.get())
                ? "pid " + record.pid() + " is not running"
                : AdoptionCheck.refusal(record, request, handle.get(), os);
    }

    /**
     * The pid of the live child recorded for this service when its record proves it, as for
     * adoption, but read-only: nothing is adopted, deleted or signalled. For one-shot status while
     * no engine runs.
     */
    public OptionalLong provenPid(LaunchRequest request) {
        Path recordFile = recordFile(request.service());
        if (!SERVICE_NAME.matcher(request.service()).matches() || !Files.isRegularFile(recordFile)) {
            return OptionalLong.empty();
        }
        try {
            ChildRecord record = Json.MAPPER.readValue(recordFile.toFile(), ChildRecord.class);
            Optional<ProcessHandle> handle = record.pid() > 0 ? ProcessHandle.of(record.pid()) : Optional.empty();
            return refusal(record, request, handle) == null ? OptionalLong.of(record.pid()) : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Services that have a child record (a child started by this or an earlier engine). */
    public Set<String> recordedServices() {
        Set<String> names = new TreeSet<>();
        Path dir = childrenDir();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + RECORD_SUFFIX)) {
            for (Path f : files) {
                String file = f.getFileName().toString();
                String name = file.substring(0, file.length() - RECORD_SUFFIX.length());
                if (SERVICE_NAME.matcher(name).matches()) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list child records in {}: {}", dir, e.toString());
        }
        return names;
    }

    /**
     * Lets go of every child without signalling it and without touching its record, as an engine
     * that dies would: output stays buffered in the FIFOs for the next engine, which can
     * {@link #adopt} the children.
     */
    public synchronized void detachAll() {
        active.values().forEach(TrackedChild::detach);
        active.clear();
    }

    // ---------------------------------------------------------------- POSIX

    private ChildProcess launchPosix(LaunchRequest request, Path executable, Path workingDir) throws LaunchException {
        String service = request.service();
        if (executable.toString().indexOf('=') >= 0 && Files.isExecutable(ENV_TOOL)) {
            // env(1) would read "NAME=value" as an assignment, not as the program.
            throw new LaunchException(FailureReason.CONFIG,
                    "the program path " + executable + " contains '=', which cannot be started safely");
        }
        List<Closeable> opened = new ArrayList<>();
        try {
            Path dir = ensureChildrenDir();
            Path outFifo = dir.resolve(service + ".out");
            Path errFifo = dir.resolve(service + ".err");
            makeFifo(outFifo);
            makeFifo(errFifo);
            // The engine's own write end (keeper) lets the read end open without waiting for the child
            // and keeps end-of-file away until the child has opened its side.
            FileChannel outKeeper = track(opened, FileChannel.open(outFifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
            FileChannel outReader = track(opened, FileChannel.open(outFifo, StandardOpenOption.READ));
            FileChannel errKeeper = track(opened, FileChannel.open(errFifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
            FileChannel errReader = track(opened, FileChannel.open(errFifo, StandardOpenOption.READ));
            OutputStream outSink = track(opened, sinks.open(request, false));
            OutputStream errSink = track(opened, sinks.open(request, true));

            ProcessBuilder builder = new ProcessBuilder(posixCommand(request, executable, outFifo, errFifo))
                    .directory(workingDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE) // the go-ahead; the program gets /dev/null
                    // Only the wrapper could write here, and only before it has opened the FIFOs.
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            builder.environment().putAll(request.env());
            Process process = startProcess(builder, service);

            ProcessHandle handle = process.toHandle();
            Instant startedAt = handle.info().startInstant().orElse(null);
            Long startTicks = ProcStat.read(handle.pid()).map(ProcStat::startTicks).orElse(null);
            ChildRecord record = new ChildRecord(service, handle.pid(), startedAt == null ? null : startedAt.toString(),
                    startTicks, request.command(), executable.toString(), outFifo.toString(), errFifo.toString(),
                    setsid != null, clock.instant().toString());
            try {
                writeRecord(record);
            } catch (IOException e) {
                // Without its record a restarted engine could neither adopt nor recognise the child, and
                // would start a second one: the wrapper is ended before the program runs.
                process.getOutputStream().close();
                process.destroyForcibly();
                throw new LaunchException(null, service + ": cannot write " + recordFile(service) + " (" + reason(e)
                        + "); not starting a process that a restarted engine could not re-adopt", e);
            }
            try (OutputStream goAhead = process.getOutputStream()) {
                goAhead.write(GO_AHEAD);
            } catch (IOException e) {
                process.destroyForcibly();
                deleteQuietly(recordFile(service));
                throw new LaunchException(null, service + ": the launch wrapper of pid " + handle.pid()
                        + " ended before it was told to run the program: " + e.getMessage(), e);
            }

            TrackedChild child = new TrackedChild(service, process, handle, setsid != null,
                    startedAt != null ? startedAt : clock.instant(), clock, this::forget);
            List<OutputPump> pumps = List.of(
                    new OutputPump(pumpName(service, "out"), outReader, outKeeper, outSink, child::onOutputEnded).start(),
                    new OutputPump(pumpName(service, "err"), errReader, errKeeper, errSink, child::onOutputEnded).start());
            opened.clear();
            child.watch(pumps);
            active.put(service, child);
            LOG.info("{}: started pid {}: {}", service, handle.pid(), request.command());
            return child;
        } catch (IOException e) {
            closeAll(opened);
            throw new LaunchException(null, service + ": could not prepare the launch: " + reason(e), e);
        } catch (LaunchException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /**
     * What went wrong, with the file and the system's reason: the JDK's AccessDeniedException and
     * NoSuchFileException carry only the path ("/x/run/children/cloud.out"), which alone says nothing.
     */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException a && a.getReason() == null) {
            return a.getFile() + ": Permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException n && n.getReason() == null) {
            return n.getFile() + ": No such file or directory";
        }
        return String.valueOf(e.getMessage());
    }

    /** {@code [setsid] /bin/sh -c WRAPPER nexus-child OUT ERR [/usr/bin/env -u.. NAME=..] program args..}. */
    private List<String> posixCommand(LaunchRequest request, Path executable, Path outFifo, Path errFifo) {
        List<String> argv = new ArrayList<>();
        if (setsid != null) {
            argv.add(setsid.toString());
        }
        argv.add(SHELL.toString());
        argv.add("-c");
        argv.add(WRAPPER_SCRIPT);
        argv.add("nexus-child");
        argv.add(outFifo.toString());
        argv.add(errFifo.toString());
        if (Files.isExecutable(ENV_TOOL)) {
            // The shell adds PWD (and bash/zsh SHLVL, _, OLDPWD) to what it passes on; the child must
            // see exactly the requested environment. These values are never secrets.
            argv.add(ENV_TOOL.toString());
            List<String> assignments = new ArrayList<>();
            for (String name : SHELL_SET_VARIABLES) {
                String value = request.env().get(name);
                if (value == null) {
                    argv.add("-u");
                    argv.add(name);
                } else {
                    assignments.add(name + "=" + value);
                }
            }
            argv.addAll(assignments);
        }
        argv.add(executable.toString());
        argv.addAll(request.command().subList(1, request.command().size()));
        return argv;
    }

    private List<OutputPump> reattachOutput(LaunchRequest request, ChildRecord record, TrackedChild child) {
        String service = request.service();
        Path outFifo = childrenDir().resolve(service + ".out");
        Path errFifo = childrenDir().resolve(service + ".err");
        if (!outFifo.toString().equals(record.stdoutFifo()) || !errFifo.toString().equals(record.stderrFifo())) {
            LOG.warn("{}: the record names FIFOs {} and {}, expected {} and {}; output not re-attached",
                    service, record.stdoutFifo(), record.stderrFifo(), outFifo, errFifo);
            return List.of();
        }
        List<Closeable> opened = new ArrayList<>();
        try {
            requireOwnFifo(outFifo);
            requireOwnFifo(errFifo);
            // Open through a short-lived keeper so opening cannot block if the child just died; once
            // it is closed, end-of-file means every writer (the child and its heirs) is gone.
            FileChannel outReader = track(opened, openReadEnd(outFifo));
            FileChannel errReader = track(opened, openReadEnd(errFifo));
            OutputStream outSink = track(opened, sinks.open(request, false));
            OutputStream errSink = track(opened, sinks.open(request, true));
            List<OutputPump> pumps = List.of(
                    new OutputPump(pumpName(service, "out"), outReader, null, outSink, child::onOutputEnded).start(),
                    new OutputPump(pumpName(service, "err"), errReader, null, errSink, child::onOutputEnded).start());
            opened.clear();
            return pumps;
        } catch (IOException e) {
            closeAll(opened);
            LOG.warn("{}: output of pid {} cannot be re-attached: {}", service, record.pid(), e.getMessage());
            return List.of();
        }
    }

    /** A read end whose end-of-file means that no process holds a write end any more. */
    private static FileChannel openReadEnd(Path fifo) throws IOException {
        FileChannel keeper = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(fifo, StandardOpenOption.READ);
        } finally {
            keeper.close();
        }
    }

    private void requireOwnFifo(Path fifo) throws IOException {
        int mode = (Integer) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) Files.getAttribute(fifo, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFIFO) {
            throw new IOException(fifo + " is not a FIFO");
        }
        if (uid != PosixLibc.get().getuid()) {
            throw new IOException(fifo + " belongs to uid " + uid + ", not to this user");
        }
    }

    private boolean leadsOwnGroup(long pid) {
        if (!os.isPosix()) {
            return false;
        }
        Optional<ProcStat> stat = ProcStat.read(pid);
        if (stat.isPresent()) {
            return stat.get().pgrp() == pid;
        }
        try {
            return PosixLibc.get().getpgid((int) pid) == pid;
        } catch (LastErrorException e) {
            return false;
        }
    }

    private void makeFifo(Path fifo) throws IOException {
        Files.deleteIfExists(fifo);
        try {
            PosixLibc.get().mkfifo(fifo.toString(), FIFO_MODE);
        } catch (LastErrorException e) {
            throw new IOException("cannot create FIFO " + fifo + ": " + e.getMessage(), e);
        }
    }

    private Path ensureChildrenDir() throws IOException {
        Path dir = childrenDir();
        Files.createDirectories(dir);
        if (os.isPosix()) {
            // Records and FIFOs are private; set explicitly because createDirectories obeys the umask.
            Files.setPosixFilePermissions(paths.run(), PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        return dir;
    }

    // ---------------------------------------------------------------- Windows

    private ChildProcess launchWindows(LaunchRequest request, Path executable, Path workingDir) throws LaunchException {
        String service = request.service();
        List<Closeable> opened = new ArrayList<>();
        try {
            ensureChildrenDir();
            OutputStream outSink = track(opened, sinks.open(request, false));
            OutputStream errSink = track(opened, sinks.open(request, true));
            List<String> argv = new ArrayList<>(request.command());
            argv.set(0, executable.toString());
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .directory(workingDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("NUL")));
            builder.environment().clear();
            builder.environment().putAll(request.env());
            Process process = startProcess(builder, service);
            ProcessHandle handle = process.toHandle();
            Instant startedAt = handle.info().startInstant().orElse(null);
            writeRecordOrWarn(new ChildRecord(service, handle.pid(), startedAt == null ? null : startedAt.toString(),
                    null, request.command(), executable.toString(), null, null, false, clock.instant().toString()));
            TrackedChild child = new TrackedChild(service, process, handle, false,
                    startedAt != null ? startedAt : clock.instant(), clock, this::forget);
            List<OutputPump> pumps = List.of(
                    new OutputPump(pumpName(service, "out"), Channels.newChannel(process.getInputStream()), null,
                            outSink, null).start(),
                    new OutputPump(pumpName(service, "err"), Channels.newChannel(process.getErrorStream()), null,
                            errSink, null).start());
            opened.clear();
            child.watch(pumps);
            active.put(service, child);
            return child;
        } catch (IOException e) {
            closeAll(opened);
            throw new LaunchException(null, service + ": could not prepare the launch: " + e.getMessage(), e);
        } catch (LaunchException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    // ---------------------------------------------------------------- shared

    private static Process startProcess(ProcessBuilder builder, String service) throws LaunchException {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new LaunchException(null, service + ": could not start " + builder.command().get(0) + ": "
                    + e.getMessage(), e);
        }
    }

    private static void requireValidName(String service) throws LaunchException {
        if (service == null || !SERVICE_NAME.matcher(service).matches()) {
            throw new LaunchException(FailureReason.CONFIG, "the service name \"" + service
                    + "\" cannot name run files: use letters, digits, '.', '_' and '-' (at most 100, not starting with a symbol)");
        }
    }

    private static Path requireWorkingDir(LaunchRequest request) throws LaunchException {
        Path dir = request.workingDir();
        if (dir == null) {
            throw new LaunchException(FailureReason.CONFIG, request.service() + ": no working directory given");
        }
        if (!Files.exists(dir)) {
            throw new LaunchException(FailureReason.CONFIG,
                    request.service() + ": working directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new LaunchException(FailureReason.CONFIG,
                    request.service() + ": working directory " + dir + " is not a directory");
        }
        return dir.toAbsolutePath();
    }

    private Path recordFile(String service) {
        return childrenDir().resolve(service + RECORD_SUFFIX);
    }

    private void writeRecordOrWarn(ChildRecord record) {
        try {
            writeRecord(record);
        } catch (IOException e) {
            // The child runs; only a later engine will be unable to adopt it.
            LOG.warn("{}: cannot write the child record: {}; an engine restart will not re-adopt pid {}",
                    record.service(), e.getMessage(), record.pid());
        }
    }

    void writeRecord(ChildRecord record) throws IOException {
        ensureChildrenDir();
        Path file = recordFile(record.service());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(record);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(temp); // a disk that filled up mid-write leaves no half record behind
            throw e;
        }
    }

    /**
     * The leader is gone: drop it and its record. Lock-free so an exit is reported without waiting
     * for a launch in progress; a newer child of the service would have replaced this one in
     * {@code active} (launch refuses while this one has not exited), so its record is never hit.
     */
    private void forget(TrackedChild child) {
        if (active.remove(child.service(), child)) {
            deleteQuietly(recordFile(child.service()));
        }
    }

    private static String pumpName(String service, String stream) {
        return "log-pump-" + service + "-" + stream;
    }

    private static <T extends Closeable> T track(List<Closeable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    private static void closeAll(List<Closeable> opened) {
        for (Closeable c : opened) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("close failed", e);
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.toString());
        }
    }
}

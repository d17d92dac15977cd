package dev.nexus.services.engine;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.manager.CommandResult;
import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.ManagedState;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.ServiceManager;
import dev.nexus.services.manager.ToolCall;
import dev.nexus.services.supervise.ExitStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A STAND-IN for an OS service manager (systemd --user, launchd) in engine tests, where the real one must not
 * be touched. It behaves like systemd with {@code Restart=on-failure} and {@code RestartPreventExitStatus=78}:
 * it really runs the service's command as a child process of the test JVM (so the engine probes, kills and
 * counts real processes), restarts it after {@code restartDelay} when it exits with anything but 0 or 78,
 * counts those restarts (its NRestarts, reset by an explicit start), and remembers the last exit status. Its
 * "unit file" is a text file per service under {@code dir}. Every call is recorded; any call can be made to
 * fail once with the tool's words, as a real manager's {@link ManagerException} would carry them.
 *
 * <p>It outlives the engines that use it, as the OS manager does: a test closes it at the end.
 */
public final class StandInServiceManager implements ServiceManager, AutoCloseable {
    private final ManagerKind kind;
    private final Path dir;
    private final Duration restartDelay;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stand-in-manager");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Unit> units = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, ManagerException> failures = new HashMap<>();
    private volatile String unavailable;

    /** One installed service. */
    private static final class Unit {
        ServiceSpec spec;
        Process process;
        int restarts;
        Integer lastExit;
        boolean stopRequested;
        ScheduledFuture<?> pendingRestart;
        final List<Long> launched = new ArrayList<>();
    }

    public StandInServiceManager(ManagerKind kind, Path dir, Duration restartDelay) throws IOException {
        this.kind = kind;
        this.dir = Files.createDirectories(dir);
        this.restartDelay = restartDelay;
    }

    // ---- what tests control and inspect ---------------------------------------------------------

    /** From now on the manager is not usable here, for {@code reason}; null makes it usable again. */
    public void makeUnavailable(String reason) {
        unavailable = reason;
    }

    /**
     * The next {@code op} ("install", "start", "stop", "restart", "state", "uninstall") fails the way a real
     * manager's tool would: {@code `systemctl --user <op> nexus-<service>.service` failed (exit 5): <said>}.
     */
    public synchronized void failNext(String op, String service, String said) {
        failures.put(op, ManagerException.failed(new CommandResult(
                List.of("systemctl", "--user", op, unitName(service)), 5, "", said)));
    }

    /** Every call so far, as "op service" ("start cloud"). */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized long count(String op, String service) {
        return calls.stream().filter(c -> c.equals(op + " " + service)).count();
    }

    /** Every pid this manager ever started for {@code service}, in order. */
    public synchronized List<Long> launched(String service) {
        Unit u = units.get(service);
        return u == null ? List.of() : List.copyOf(u.launched);
    }

    public Path unitFile(String service) {
        return dir.resolve(unitName(service));
    }

    private static String unitName(String service) {
        return "nexus-" + service + ".service";
    }

    // ---- ServiceManager ---------------------------------------------------------------------------

    @Override
    public ManagerKind kind() {
        return kind;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    @Override
    public InstallPlan installPlan(ServiceSpec spec) {
        StringBuilder text = new StringBuilder("# stand-in unit for ").append(spec.name()).append('\n');
        text.append("WorkingDirectory=").append(spec.workingDir()).append('\n');
        spec.command().forEach(arg -> text.append("Arg=").append(arg).append('\n'));
        spec.env().forEach((k, v) -> text.append("Environment=").append(k).append('=').append(v).append('\n'));
        return new InstallPlan(spec.name(), List.of(GeneratedFile.of(unitFile(spec.name()), text.toString())),
                List.of(), List.of(ToolCall.of("stand-in", "daemon-reload")));
    }

    @Override
    public InstallPlan uninstallPlan(String service) {
        return new InstallPlan(service, List.of(), List.of(unitFile(service)), List.of(ToolCall.tolerant("stand-in",
                "stop", unitName(service))));
    }

    @Override
    public InstallPlan install(ServiceSpec spec) throws ManagerException {
        record("install", spec.name());
        InstallPlan plan = installPlan(spec);
        try {
            Files.writeString(unitFile(spec.name()), plan.write().get(0).content());
        } catch (IOException e) {
            throw new ManagerException("could not write " + unitFile(spec.name()) + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            units.computeIfAbsent(spec.name(), n -> new Unit()).spec = spec;
        }
        return plan;
    }

    @Override
    public InstallPlan uninstall(String service) throws ManagerException {
        record("uninstall", service);
        halt(service);
        try {
            Files.deleteIfExists(unitFile(service));
        } catch (IOException e) {
            throw new ManagerException("could not remove " + unitFile(service) + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            Unit u = units.get(service);
            if (u != null) {
                u.spec = null;
            }
        }
        return uninstallPlan(service);
    }

    @Override
    public void start(String service) throws ManagerException {
        record("start", service);
        synchronized (this) {
            Unit u = installed(service);
            u.stopRequested = false;
            if (u.process != null && u.process.isAlive()) {
                return;
            }
            cancelRestart(u);
            u.restarts = 0; // an explicit start flushes NRestarts, as systemd does
            launch(service, u);
        }
    }

    @Override
    public void stop(String service) throws ManagerException {
        record("stop", service);
        synchronized (this) {
            installed(service);
        }
        halt(service);
    }

    @Override
    public void restart(String service) throws ManagerException {
        record("restart", service);
        halt(service);
        synchronized (this) {
            Unit u = installed(service);
            u.stopRequested = false;
            launch(service, u);
        }
    }

    @Override
    public synchronized ManagedState state(String service) throws ManagerException {
        record("state", service);
        Unit u = units.get(service);
        if (u == null || u.spec == null) {
            return ManagedState.notInstalled();
        }
        boolean running = u.process != null && u.process.isAlive();
        String detail = running ? "active (running)" : u.pendingRestart != null ? "activating (auto-restart)"
                : u.lastExit != null && u.lastExit != 0 && !u.stopRequested ? "failed (exit-code)" : "inactive (dead)";
        return new ManagedState(true, running, running ? OptionalLong.of(u.process.pid()) : OptionalLong.empty(),
                OptionalInt.of(u.restarts), u.lastExit == null ? OptionalInt.empty() : OptionalInt.of(u.lastExit), detail);
    }

    // ---- the processes ----------------------------------------------------------------------------

    private void record(String op, String service) throws ManagerException {
        ManagerException failure;
        synchronized (this) {
            calls.add(op + " " + service);
            failure = failures.remove(op);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Unit installed(String service) throws ManagerException {
        Unit u = units.get(service);
        if (u == null || u.spec == null) {
            throw ManagerException.failed(new CommandResult(List.of("systemctl", "--user", "start", unitName(service)),
                    5, "", "Failed to start " + unitName(service) + ": Unit " + unitName(service) + " not found."));
        }
        return u;
    }

    /** Under the lock. */
    private void launch(String service, Unit u) throws ManagerException {
        ServiceSpec spec = u.spec;
        ProcessBuilder builder = new ProcessBuilder(spec.command()).directory(spec.workingDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(service + ".out").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(service + ".err").toFile()));
        builder.environment().putAll(spec.env());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            u.lastExit = 203; // systemd's EXIT_EXEC
            throw new ManagerException("`stand-in start " + unitName(service) + "` failed: " + e.getMessage(), e);
        }
        u.process = process;
        u.launched.add(process.pid());
        process.onExit().thenAccept(p -> exited(service, u, p));
    }

    private synchronized void exited(String service, Unit u, Process process) {
        if (u.process != process) {
            return;
        }
        u.process = null;
        u.lastExit = process.exitValue();
        if (u.stopRequested || u.spec == null || u.lastExit == 0 || u.lastExit == ExitStatus.EX_CONFIG) {
            return;
        }
        u.pendingRestart = timer.schedule(() -> {
            synchronized (this) {
                if (u.pendingRestart == null || u.stopRequested || u.spec == null) {
                    return;
                }
                u.pendingRestart = null;
                u.restarts++;
                try {
                    launch(service, u);
                } catch (ManagerException e) {
                    // stays down, "failed", as a unit whose binary vanished
                }
            }
        }, restartDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void cancelRestart(Unit u) {
        if (u.pendingRestart != null) {
            u.pendingRestart.cancel(false);
            u.pendingRestart = null;
        }
    }

    /** SIGTERM, then SIGKILL after the service's stop timeout; returns once the process is gone. */
    private void halt(String service) {
        Process process;
        Duration grace;
        Unit u;
        synchronized (this) {
            u = units.get(service);
            if (u == null) {
                return;
            }
            u.stopRequested = true;
            cancelRestart(u);
            process = u.process;
            grace = u.spec != null ? u.spec.stopTimeout() : Duration.ofSeconds(5);
        }
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            if (u.process == process && !process.isAlive()) {
                u.process = null;
                u.lastExit = process.exitValue();
            }
        }
    }

    /** Ends every process it runs (test cleanup). */
    @Override
    public void close() {
        List<String> names;
        synchronized (this) {
            names = List.copyOf(units.keySet());
        }
        names.forEach(this::halt);
        timer.shutdownNow();
    }
}

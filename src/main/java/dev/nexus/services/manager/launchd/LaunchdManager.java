package dev.nexus.services.manager.launchd;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.CommandResult;
import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.ManagedState;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.PlanApplier;
import dev.nexus.services.manager.ServiceManager;
import dev.nexus.services.manager.ToolCall;
import dev.nexus.services.support.PrivateDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * launchd keeps a service running as a LaunchAgent in the user's GUI domain ({@code gui/<uid>}).
 *
 * <p>Verbs, and why these ones:
 * <ul>
 *   <li><b>install</b>: write the plist, {@code enable} (clears a "disabled" override left by an earlier
 *       {@code launchctl disable}, which would make the bootstrap fail), {@code bootout} the old job and wait
 *       until launchd has let go of the label, then {@code bootstrap}, which loads the job and starts it
 *       (RunAtLoad). All-or-nothing through {@link PlanApplier}: a failed bootstrap restores the old plist
 *       and loads the old job again. Installing the same plist again while the job is loaded does nothing,
 *       so re-running {@code install} never bounces a healthy service; a changed plist reloads the job.</li>
 *   <li><b>stop</b> is {@code bootout}, not {@code launchctl kill SIGTERM} or the legacy {@code stop}: with
 *       {@code KeepAlive {SuccessfulExit=false}} a job killed by a signal has not exited successfully, so
 *       launchd would start it again within the ThrottleInterval. Booting the job out unloads it: launchd
 *       sends SIGTERM, waits ExitTimeOut, SIGKILLs, and forgets the job until it is bootstrapped again, so a
 *       user's stop stays a stop. The plist stays, so the service comes back at the next login, as an
 *       enabled systemd unit comes back at the next boot. {@code launchctl disable} would survive logins
 *       too, which a stop should not.</li>
 *   <li><b>start</b>: a booted-out job is started by bootstrapping its plist again (RunAtLoad); a loaded one
 *       that is not running (exited 0, or KeepAlive false) by {@code kickstart}.</li>
 *   <li><b>restart</b>: {@code kickstart -k} kills the running instance and starts it at once; a job that
 *       is not loaded is started as above.</li>
 *   <li><b>state</b>: {@code launchctl print} read best effort, its pid checked against the process table.</li>
 * </ul>
 */
public final class LaunchdManager implements ServiceManager {
    private static final Logger LOG = LoggerFactory.getLogger(LaunchdManager.class);
    private static final Pattern EXIT_TIMEOUT = Pattern.compile("<key>ExitTimeOut</key>\\s*<integer>(\\d+)</integer>");

    private final ManagerContext ctx;
    private final HostOs os;
    private final Launchctl launchctl;

    public LaunchdManager(ManagerContext ctx) {
        this(ctx, HostOs.CURRENT, LaunchdTiming.DEFAULT);
    }

    /** @param os the system this runs on (tests pass MACOS; everything else makes the manager unavailable) */
    public LaunchdManager(ManagerContext ctx, HostOs os, LaunchdTiming timing) {
        this.ctx = ctx;
        this.os = os;
        this.launchctl = new Launchctl(ctx.runner(), ctx.uid(), timing);
    }

    @Override
    public ManagerKind kind() {
        return ManagerKind.LAUNCHD;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (os != HostOs.MACOS) {
            return Optional.of("launchd is the service manager of macOS; this is " + os.name().toLowerCase(Locale.ROOT));
        }
        if (ctx.uid() < 0) {
            return Optional.of("no numeric user id, so no launchd domain gui/<uid> to load agents into");
        }
        CommandResult domain;
        try {
            domain = launchctl.printDomain();
        } catch (IOException e) {
            return Optional.of("launchctl cannot be run: " + e.getMessage());
        }
        if (domain.exitCode() == Launchctl.DOMAIN_NOT_FOUND) {
            return Optional.of("launchd has no GUI domain " + launchctl.domain() + ": this user is not logged in at the"
                    + " Mac's screen (an ssh session alone has no GUI domain)");
        }
        if (!domain.ok()) {
            return Optional.of(ManagerException.failed(domain).getMessage());
        }
        return Optional.empty();
    }

    @Override
    public InstallPlan installPlan(ServiceSpec spec) {
        requireDaemon(spec);
        String label = LaunchdPlists.label(spec.name());
        Path plist = plistPath(label);
        return new InstallPlan(spec.name(), List.of(GeneratedFile.of(plist, LaunchdPlists.service(spec, ctx))), List.of(),
                List.of(launchctl.enable(label), launchctl.bootout(label), launchctl.bootstrap(plist)));
    }

    @Override
    public InstallPlan uninstallPlan(String service) {
        String label = LaunchdPlists.label(service);
        return new InstallPlan(service, List.of(), List.of(plistPath(label)), List.of(launchctl.bootout(label)));
    }

    @Override
    public InstallPlan install(ServiceSpec spec) throws ManagerException {
        InstallPlan plan;
        try {
            plan = installPlan(spec);
        } catch (IllegalArgumentException e) {
            throw new ManagerException("cannot install " + spec.name() + " with launchd: " + e.getMessage(), e);
        }
        String label = LaunchdPlists.label(spec.name());
        GeneratedFile file = plan.write().get(0);
        Optional<String> before = read(file.path());
        boolean loaded = launchctl.loaded(label);
        if (loaded && before.isPresent() && before.get().equals(file.content())) {
            LOG.info("{} is loaded in launchd with the same plist ({}): nothing to do", label, file.path());
            return InstallPlan.nothing(spec.name());
        }
        createLogDirectories(spec);
        // Put back what ran before: the old job if it was loaded, nothing otherwise.
        List<ToolCall> rollback = new ArrayList<>(List.of(launchctl.bootout(label)));
        if (loaded && before.isPresent()) {
            rollback.add(launchctl.bootstrap(file.path()));
        }
        Duration exitTimeout = Duration.ofSeconds(LaunchdPlists.exitTimeoutSeconds(
                spec.stopTimeout() != null ? spec.stopTimeout() : ServiceSpec.DEFAULT_STOP_TIMEOUT));
        // The bootout stops the old job (its own ExitTimeOut); the rollback's bootout may stop the new one.
        Duration old = installedExitTimeout(before);
        Duration wait = old.compareTo(exitTimeout) > 0 ? old : exitTimeout;
        return new PlanApplier(launchctl.settling(wait)).apply(plan, rollback);
    }

    @Override
    public InstallPlan uninstall(String service) throws ManagerException {
        InstallPlan plan = uninstallPlan(service);
        String label = LaunchdPlists.label(service);
        Path plist = plistPath(label);
        boolean loaded = launchctl.loaded(label);
        if (!loaded && !Files.exists(plist)) {
            return InstallPlan.nothing(service);
        }
        // A failed bootout leaves the job loaded and, restored by the applier, its plist: as before.
        return new PlanApplier(launchctl.settling(installedExitTimeout(read(plist)))).apply(plan, List.of());
    }

    @Override
    public void start(String service) throws ManagerException {
        kickstartOrLoad(service, false);
    }

    @Override
    public void stop(String service) throws ManagerException {
        String label = LaunchdPlists.label(service);
        launchctl.run(launchctl.bootout(label), installedExitTimeout(read(plistPath(label))));
    }

    @Override
    public void restart(String service) throws ManagerException {
        kickstartOrLoad(service, true);
    }

    /** A loaded job is kickstarted ({@code -k}: killed first); one that is not is loaded, which starts it. */
    private void kickstartOrLoad(String service, boolean kill) throws ManagerException {
        String label = LaunchdPlists.label(service);
        Path plist = requireInstalled(service, label);
        if (launchctl.loaded(label)) {
            launchctl.run(launchctl.kickstart(label, kill), Duration.ZERO);
        } else {
            launchctl.run(launchctl.bootstrap(plist), Duration.ZERO);
        }
    }

    @Override
    public ManagedState state(String service) throws ManagerException {
        String label = LaunchdPlists.label(service);
        boolean plistExists = Files.exists(plistPath(label));
        Optional<LaunchctlPrint> printed = launchctl.print(label);
        if (printed.isEmpty()) {
            return plistExists
                    ? new ManagedState(true, false, OptionalLong.empty(), OptionalInt.empty(),
                    OptionalInt.empty(), "not loaded (stopped; loads again at the next login)")
                    : ManagedState.notInstalled();
        }
        return fromPrint(printed.get(), plistExists);
    }

    /** What launchd says, the running claim checked against the process table. */
    static ManagedState fromPrint(LaunchctlPrint job, boolean plistExists) {
        String detail = Launchctl.describe(job);
        boolean alive = job.saysRunning() && ProcessHandle.of(job.pid().getAsLong()).isPresent();
        if (job.saysRunning() && !alive) {
            detail += " (but no process " + job.pid().getAsLong() + " exists)";
        }
        if (!plistExists) {
            detail += "; its plist is gone, launchd still has it loaded";
        }
        OptionalLong pid = alive ? job.pid() : OptionalLong.empty();
        return new ManagedState(true, alive, pid, job.restarts(), job.lastExit(), detail);
    }

    private Path requireInstalled(String service, String label) throws ManagerException {
        Path plist = plistPath(label);
        if (!Files.exists(plist)) {
            throw new ManagerException(service + " is not installed for launchd (no " + plist
                    + "); run `nexus-services install " + service + "` first");
        }
        return plist;
    }

    private Path plistPath(String label) {
        return LaunchdPlists.plistPath(ctx.userHome(), label);
    }

    private static void requireDaemon(ServiceSpec spec) {
        if (spec.kind() != ServiceKind.DAEMON) {
            throw new IllegalArgumentException(spec.name() + " is a " + spec.kind().id()
                    + "; only daemons are kept running by launchd (the engine runs jobs and keeps connections)");
        }
        if (spec.command().isEmpty()) {
            throw new IllegalArgumentException(spec.name() + " has no command to run");
        }
    }

    /** launchd opens the log files itself, before the shim runs, and does not create their directory. */
    private void createLogDirectories(ServiceSpec spec) throws ManagerException {
        List<Path> dirs = new ArrayList<>(List.of(ctx.paths().logs()));
        if (spec.log() != null) {
            for (Path log : new Path[] {spec.log().stdout(), spec.log().stderr()}) {
                if (log != null && log.toAbsolutePath().getParent() != null) {
                    dirs.add(log.toAbsolutePath().getParent());
                }
            }
        }
        for (Path dir : dirs) {
            try {
                PrivateDirs.create(dir);
            } catch (IOException e) {
                throw new ManagerException("cannot create the log directory " + dir + " for " + spec.name() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** The ExitTimeOut the loaded job was installed with (launchd's SIGKILL grace), or the default stop timeout. */
    static Duration installedExitTimeout(Optional<String> plist) {
        if (plist.isPresent()) {
            Matcher m = EXIT_TIMEOUT.matcher(plist.get());
            if (m.find() && m.group(1).length() <= 9) {
                return Duration.ofSeconds(Long.parseLong(m.group(1)));
            }
        }
        return ServiceSpec.DEFAULT_STOP_TIMEOUT;
    }

    private static Optional<String> read(Path file) throws ManagerException {
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            throw new ManagerException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

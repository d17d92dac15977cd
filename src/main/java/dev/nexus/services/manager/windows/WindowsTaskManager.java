package dev.nexus.services.manager.windows;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.RestartSpec;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code manager: windows-task}: one per-user Task Scheduler task per service ({@code \Nexus\nexus-<service>}),
 * started at logon, running the {@code nexus-services exec <service>} shim. No administrator rights.
 *
 * <p>The definition is written to {@code <state>/tasks/nexus-<service>.xml} (UTF-16LE with a byte order
 * mark, as {@code schtasks /XML} reads it) and registered with {@code schtasks /Create /XML /F}. Verbs:
 * <ul>
 *   <li><b>install</b>: write the XML, {@code /End} a running old instance (and wait until it is gone),
 *       {@code /Create /F} (replaces), {@code /Run} (a fresh install runs now, as launchd's RunAtLoad and
 *       systemd's enable --now do). All-or-nothing through {@link PlanApplier}: a failed {@code /Create}
 *       puts the old XML back and registers it again, or deletes the new task. Installing an unchanged
 *       definition of a task that is running does nothing.</li>
 *   <li><b>uninstall</b>: {@code /End} (tolerant), {@code /Delete /F}, remove the XML.</li>
 *   <li><b>start</b> {@code /Run}; <b>stop</b> {@code /End}, waiting until the task no longer counts as
 *       running; <b>restart</b> both, in that order (a {@code /Run} while the old instance still counts as
 *       running would be ignored).</li>
 *   <li><b>state</b>: {@code schtasks /Query /FO LIST /V}. Task Scheduler reports no pid and no restart count.</li>
 * </ul>
 *
 * <p>Environment: a task definition cannot carry environment variables; the task starts with the user's
 * logon environment (see {@link UserEnvironment}). PATH there is the user's registered PATH, which is
 * where Windows installers put tools, so nothing is written out as it is for launchd; NEXUS_ROOT is checked
 * at install to be the root being installed. No cmd.exe wrapper sets variables instead: {@code /End}
 * terminates the task's own process only, so a wrapper would be ended while the shim and the service under
 * it ran on; without one the task's process is the shim itself. (Windows has no exec, so the shim runs the
 * service as its child: {@code /End} takes the service down too only when the shim ties the child to itself
 * with a kill-on-close job object.)
 */
public final class WindowsTaskManager implements ServiceManager {
    private static final Logger LOG = LoggerFactory.getLogger(WindowsTaskManager.class);

    private final ManagerContext ctx;
    private final HostOs os;
    private final String userId;
    private final Schtasks schtasks;

    public WindowsTaskManager(ManagerContext ctx) {
        this(ctx, HostOs.CURRENT, currentUser(System.getenv(), System.getProperty("user.name", "")), WindowsTiming.DEFAULT);
    }

    /**
     * @param os     the system this runs on (tests pass WINDOWS; everything else makes the manager unavailable)
     * @param userId the account the tasks belong to, the domain and the user name joined by a backslash (a
     *               logon trigger fires for this user only)
     */
    public WindowsTaskManager(ManagerContext ctx, HostOs os, String userId, WindowsTiming timing) {
        this.ctx = ctx;
        this.os = os;
        this.userId = userId;
        this.schtasks = new Schtasks(ctx.runner(), timing);
    }

    /** USERDOMAIN, a backslash and USERNAME, as Windows sets them for a logged-on user; the bare name without a domain. */
    public static String currentUser(Map<String, String> env, String userName) {
        String name = env.getOrDefault("USERNAME", userName);
        String domain = env.get("USERDOMAIN");
        return domain == null || domain.isBlank() ? name : domain + "\\" + name;
    }

    @Override
    public ManagerKind kind() {
        return ManagerKind.WINDOWS_TASK;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (os != HostOs.WINDOWS) {
            return Optional.of("Windows tasks are for Windows; this is " + os.name().toLowerCase(Locale.ROOT));
        }
        if (userId.isBlank()) {
            return Optional.of("no user name to register per-user tasks for (USERNAME is not set)");
        }
        try {
            CommandResult help = schtasks.help();
            if (!help.ok()) {
                return Optional.of(ManagerException.failed(help).getMessage());
            }
        } catch (IOException e) {
            return Optional.of("schtasks cannot be run: " + e.getMessage());
        }
        return Optional.empty();
    }

    public static Path taskFile(ManagerContext ctx, String service) {
        return tasksDir(ctx).resolve("nexus-" + service + ".xml");
    }

    static Path tasksDir(ManagerContext ctx) {
        return ctx.paths().state().resolve("tasks");
    }

    @Override
    public InstallPlan installPlan(ServiceSpec spec) {
        requireDaemon(spec);
        String task = WindowsTasks.serviceTaskName(spec.name());
        Path xml = taskFile(ctx, spec.name());
        RestartSpec.Mode restart = spec.restart() != null ? spec.restart().mode() : RestartSpec.DEFAULT.mode();
        String content = WindowsTasks.service(userId, spec.name(), spec.displayName(), restart, ctx.self().exec(spec.name()),
                ctx.userHome().toString());
        return new InstallPlan(spec.name(), List.of(GeneratedFile.of(xml, content, StandardCharsets.UTF_16LE)), List.of(),
                List.of(Schtasks.end(task), Schtasks.create(task, xml), Schtasks.run(task)));
    }

    @Override
    public InstallPlan uninstallPlan(String service) {
        String task = WindowsTasks.serviceTaskName(service);
        return new InstallPlan(service, List.of(), List.of(taskFile(ctx, service)),
                List.of(Schtasks.end(task), Schtasks.delete(task)));
    }

    @Override
    public InstallPlan install(ServiceSpec spec) throws ManagerException {
        InstallPlan plan;
        try {
            plan = installPlan(spec);
        } catch (IllegalArgumentException e) {
            throw new ManagerException("cannot install " + spec.name() + " as a Windows task: " + e.getMessage(), e);
        }
        String task = WindowsTasks.serviceTaskName(spec.name());
        GeneratedFile file = plan.write().get(0);
        Optional<SchtasksQuery> before = schtasks.query(task, file.path());
        if (before.isPresent() && before.get().running() && Files.exists(file.path())
                && Arrays.equals(read(file.path()), file.bytes())) {
            LOG.info("{} is registered with the same definition ({}) and running: nothing to do", task, file.path());
            return InstallPlan.nothing(spec.name());
        }
        UserEnvironment.requireSameRoot(ctx);
        // Put back what was registered before. Without our copy of an older definition there is nothing to
        // register again; a failed /Create has left the old registration alone.
        List<ToolCall> rollback = new ArrayList<>();
        if (before.isEmpty()) {
            rollback.add(Schtasks.delete(task));
        } else if (Files.exists(file.path())) {
            rollback.add(Schtasks.create(task, file.path())); // the restored XML, registered again
            if (before.get().running()) {
                rollback.add(Schtasks.run(task));
            }
        }
        return new PlanApplier(schtasks.settling(file.path())).apply(plan, rollback);
    }

    @Override
    public InstallPlan uninstall(String service) throws ManagerException {
        String task = WindowsTasks.serviceTaskName(service);
        Path xml = taskFile(ctx, service);
        if (schtasks.query(task, xml).isEmpty()) {
            return Files.exists(xml)
                    ? new PlanApplier(ctx.runner()).apply(new InstallPlan(service, List.of(), List.of(xml), List.of()),
                    List.of())
                    : InstallPlan.nothing(service);
        }
        return new PlanApplier(schtasks.settling(xml)).apply(uninstallPlan(service), List.of());
    }

    @Override
    public void start(String service) throws ManagerException {
        String task = requireInstalled(service);
        schtasks.call(Schtasks.run(task), taskFile(ctx, service));
    }

    @Override
    public void stop(String service) throws ManagerException {
        String task = WindowsTasks.serviceTaskName(service);
        Path xml = taskFile(ctx, service);
        Optional<SchtasksQuery> now = schtasks.query(task, xml);
        if (now.isEmpty() || !now.get().running()) {
            return;
        }
        schtasks.call(Schtasks.endRunning(task), xml);
    }

    @Override
    public void restart(String service) throws ManagerException {
        requireInstalled(service);
        stop(service);
        start(service);
    }

    @Override
    public ManagedState state(String service) throws ManagerException {
        Optional<SchtasksQuery> query = schtasks.query(WindowsTasks.serviceTaskName(service), taskFile(ctx, service));
        if (query.isEmpty()) {
            return ManagedState.notInstalled();
        }
        SchtasksQuery q = query.get();
        return new ManagedState(true, q.running(), OptionalLong.empty(), OptionalInt.empty(), q.lastExit(), q.describe());
    }

    private String requireInstalled(String service) throws ManagerException {
        String task = WindowsTasks.serviceTaskName(service);
        if (schtasks.query(task, taskFile(ctx, service)).isEmpty()) {
            throw new ManagerException(service + " is not installed as a Windows task (no " + task
                    + "); run `nexus-services install " + service + "` first");
        }
        return task;
    }

    private static void requireDaemon(ServiceSpec spec) {
        if (spec.kind() != ServiceKind.DAEMON) {
            throw new IllegalArgumentException(spec.name() + " is a " + spec.kind().id()
                    + "; only daemons are run as Windows tasks (the engine runs jobs and keeps connections)");
        }
        if (spec.command().isEmpty()) {
            throw new IllegalArgumentException(spec.name() + " has no command to run");
        }
    }

    private static byte[] read(Path file) throws ManagerException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ManagerException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

package dev.nexus.services.manager.systemd;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceSpec;
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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nexus daemons as systemd user units ({@code systemctl --user}), one {@code nexus-<service>.service} per
 * daemon in {@code $XDG_CONFIG_HOME/systemd/user} (default {@code ~/.config/systemd/user}).
 *
 * <p>Install writes the unit, reloads systemd and enables it (so it comes back at login, or at boot with
 * lingering); an unchanged, enabled unit yields an empty plan and runs nothing. Install does not start or
 * restart the service: whoever switches a service to systemd starts it. Uninstall stops, disables, removes
 * and reloads; a service that is not installed is fine. Every tool call goes through the context's runner
 * with a deadline, and failures name the command and what systemctl said.
 */
public final class SystemdUserManager implements ServiceManager {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdUserManager.class);
    /** What {@link #state} asks for; systemctl prints them in its own order. */
    static final List<String> SHOWN = List.of("LoadState", "ActiveState", "SubState", "NRestarts", "MainPID",
            "ExecMainCode", "ExecMainStatus", "Result");
    /**
     * stop and restart wait for the service to go, which systemd bounds by the unit's TimeoutStopSec (the
     * catalog's stopTimeout) before it kills; this deadline covers the usual seconds with room to spare.
     */
    static final Duration STOP_CALL_TIMEOUT = Duration.ofMinutes(2);
    /** systemctl's exit code when the unit is not loaded (LSB "program is not installed"). */
    private static final int NOT_LOADED = 5;
    /** The words {@code systemctl is-enabled} answers with when it could look the unit up. */
    private static final Set<String> ENABLEMENT_STATES = Set.of("enabled", "enabled-runtime", "linked",
            "linked-runtime", "alias", "masked", "masked-runtime", "static", "indirect", "disabled", "generated",
            "transient", "bad", "not-found");

    private final ManagerContext ctx;
    private final Path unitDir;
    private volatile Integer version;

    /** Finds the unit directory through this process's XDG_CONFIG_HOME. */
    public SystemdUserManager(ManagerContext ctx) {
        this(ctx, System.getenv());
    }

    /**
     * @param callerEnv the environment to read XDG_CONFIG_HOME from (the CLI's own; tests pass their own so
     *                  nothing outside their temp HOME is touched). Only that variable is read.
     */
    public SystemdUserManager(ManagerContext ctx, Map<String, String> callerEnv) {
        this.ctx = ctx;
        this.unitDir = unitDirectory(ctx.userHome(), callerEnv);
    }

    /**
     * {@code $XDG_CONFIG_HOME/systemd/user}, or {@code ~/.config/systemd/user} when it is unset, empty or
     * relative (the XDG base directory spec says to ignore a relative value).
     */
    public static Path unitDirectory(Path userHome, Map<String, String> callerEnv) {
        return configHome(userHome, callerEnv).resolve("systemd").resolve("user");
    }

    /** {@code $XDG_CONFIG_HOME}, or {@code ~/.config}. */
    public static Path configHome(Path userHome, Map<String, String> callerEnv) {
        String xdg = callerEnv.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg);
        }
        return userHome.resolve(".config");
    }

    public Path unitDirectory() {
        return unitDir;
    }

    public Path unitFile(String service) {
        return unitDir.resolve(SystemdUnits.unitName(service));
    }

    @Override
    public ManagerKind kind() {
        return ManagerKind.SYSTEMD;
    }

    /**
     * Empty when a systemd user manager answers {@code systemctl --user show-environment}. Its output (the
     * manager's environment, which may hold variables a desktop imported) is discarded unread.
     */
    @Override
    public Optional<String> unavailableReason() {
        List<String> argv = systemctl("show-environment");
        CommandResult result;
        try {
            result = ctx.runner().run(argv, PlanApplier.TOOL_TIMEOUT);
        } catch (IOException e) {
            return Optional.of("no systemd user manager: " + e.getMessage());
        }
        if (result.ok()) {
            return Optional.empty();
        }
        String said = result.stderr().strip();
        return Optional.of("no systemd user manager answers `" + String.join(" ", argv) + "` (exit "
                + result.exitCode() + (said.isEmpty() ? ")" : "): " + said));
    }

    /** The major version from {@code systemctl --version}, asked once. */
    public int systemdVersion() throws ManagerException {
        Integer known = version;
        if (known != null) {
            return known;
        }
        CommandResult result = run(List.of("systemctl", "--version"), PlanApplier.TOOL_TIMEOUT);
        if (!result.ok()) {
            throw ManagerException.failed(result);
        }
        try {
            known = SystemdVersion.parse(result.stdout());
        } catch (IllegalArgumentException e) {
            throw new ManagerException(e.getMessage(), e);
        }
        version = known;
        return known;
    }

    /**
     * @throws IllegalStateException when the systemd version cannot be learned (check {@link #unavailableReason}
     *                               first); IllegalArgumentException when the spec cannot be a systemd unit
     */
    @Override
    public InstallPlan installPlan(ServiceSpec spec) {
        String content = SystemdUnits.serviceUnit(spec, ctx, knownVersion(), installedDependencies(spec));
        return unitPlan(spec.name(), SystemdUnits.unitName(spec.name()), content);
    }

    /**
     * The plan that makes {@code unitName} in the unit directory hold {@code content} and enabled: write,
     * daemon-reload, enable; only enable when the content is there already but not enabled; nothing when
     * both are so.
     */
    public InstallPlan unitPlan(String subject, String unitName, String content) {
        Path file = unitDir.resolve(unitName);
        if (content.equals(readIfPresent(file))) {
            if (isEnabled(unitName)) {
                return InstallPlan.nothing(subject);
            }
            return new InstallPlan(subject, List.of(), List.of(), List.of(ToolCall.of(systemctlArray("enable", unitName))));
        }
        return new InstallPlan(subject, List.of(GeneratedFile.of(file, content)), List.of(),
                List.of(ToolCall.of(systemctlArray("daemon-reload")), ToolCall.of(systemctlArray("enable", unitName))));
    }

    /**
     * Stop (fails harmlessly when not loaded), disable, remove the unit, daemon-reload, forget a failed state.
     * Stop and disable run before the file goes (disable needs it), so apply this with {@link #uninstall}.
     */
    @Override
    public InstallPlan uninstallPlan(String service) {
        String unit = SystemdUnits.unitName(service);
        Path file = unitDir.resolve(unit);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return InstallPlan.nothing(service);
        }
        return new InstallPlan(service, List.of(), List.of(file), List.of(
                ToolCall.tolerant(systemctlArray("stop", unit)),
                ToolCall.of(systemctlArray("disable", unit)),
                ToolCall.of(systemctlArray("daemon-reload")),
                ToolCall.tolerant(systemctlArray("reset-failed", unit))));
    }

    @Override
    public InstallPlan install(ServiceSpec spec) throws ManagerException {
        int systemd = systemdVersion();
        InstallPlan plan = unitPlan(spec.name(), SystemdUnits.unitName(spec.name()),
                SystemdUnits.serviceUnit(spec, ctx, systemd, installedDependencies(spec)));
        if (!SystemdUnits.logsToJournal(systemd)) {
            // systemd opens append: files itself and does not create their directory.
            createDirectories(spec.log() != null ? spec.log().stdout() : ctx.paths().stdoutLog(spec.name()));
            createDirectories(spec.log() != null ? spec.log().stderr() : ctx.paths().stderrLog(spec.name()));
        }
        return apply(plan);
    }

    /** Applies a plan of this manager's unit directory all-or-nothing; after a failure systemd is reloaded. */
    public InstallPlan apply(InstallPlan plan) throws ManagerException {
        if (plan.isEmpty()) {
            return plan;
        }
        return new PlanApplier(ctx.runner()).apply(plan, List.of(ToolCall.of(systemctlArray("daemon-reload"))));
    }

    @Override
    public InstallPlan uninstall(String service) throws ManagerException {
        InstallPlan plan = uninstallPlan(service);
        if (plan.isEmpty()) {
            return plan;
        }
        String unit = SystemdUnits.unitName(service);
        boolean wasEnabled = isEnabled(unit);
        boolean wasActive = isActive(unit);
        CommandResult stopped = run(systemctl("stop", unit), STOP_CALL_TIMEOUT);
        if (!stopped.ok() && stopped.exitCode() != NOT_LOADED) {
            throw ManagerException.failed(stopped);
        }
        CommandResult disabled = run(systemctl("disable", unit), PlanApplier.TOOL_TIMEOUT);
        if (!disabled.ok()) {
            if (wasActive) {
                startQuietly(unit);
            }
            throw ManagerException.failed(disabled);
        }
        List<ToolCall> rollback = new ArrayList<>();
        rollback.add(ToolCall.of(systemctlArray("daemon-reload")));
        if (wasEnabled) {
            rollback.add(ToolCall.of(systemctlArray("enable", unit)));
        }
        if (wasActive) {
            rollback.add(ToolCall.of(systemctlArray("start", unit)));
        }
        new PlanApplier(ctx.runner()).apply(new InstallPlan(service, List.of(), plan.remove(), List.of(
                ToolCall.of(systemctlArray("daemon-reload")),
                ToolCall.tolerant(systemctlArray("reset-failed", unit)))), rollback);
        return plan;
    }

    @Override
    public void start(String service) throws ManagerException {
        createDirectories(ctx.paths().stdoutLog(service));
        call(PlanApplier.TOOL_TIMEOUT, "start", SystemdUnits.unitName(service));
    }

    @Override
    public void stop(String service) throws ManagerException {
        call(STOP_CALL_TIMEOUT, "stop", SystemdUnits.unitName(service));
    }

    @Override
    public void restart(String service) throws ManagerException {
        createDirectories(ctx.paths().stdoutLog(service));
        call(STOP_CALL_TIMEOUT, "restart", SystemdUnits.unitName(service));
    }

    @Override
    public ManagedState state(String service) throws ManagerException {
        CommandResult result = run(systemctl("show", "-p", String.join(",", SHOWN), SystemdUnits.unitName(service)),
                PlanApplier.TOOL_TIMEOUT);
        if (!result.ok()) {
            throw ManagerException.failed(result);
        }
        return parseState(result.stdout());
    }

    /**
     * {@code systemctl show -p ...} output ("Key=value" lines, any order) as a {@link ManagedState}. A unit
     * systemd does not know (LoadState=not-found) is not installed; MainPID=0 means no process; the exit
     * status counts only when the process exited (ExecMainCode=1), not when a signal killed it.
     */
    public static ManagedState parseState(String showOutput) {
        Map<String, String> p = new LinkedHashMap<>();
        showOutput.lines().forEach(line -> {
            int eq = line.indexOf('=');
            if (eq > 0) {
                p.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        });
        String load = p.getOrDefault("LoadState", "");
        if (load.isEmpty() || load.equals("not-found")) {
            return ManagedState.notInstalled();
        }
        String active = p.getOrDefault("ActiveState", "unknown");
        String sub = p.getOrDefault("SubState", "unknown");
        String result = p.getOrDefault("Result", "");
        boolean running = active.equals("active") || active.equals("reloading");
        long mainPid = parseLong(p.get("MainPID")).orElse(0);
        OptionalLong pid = running && mainPid > 0 ? OptionalLong.of(mainPid) : OptionalLong.empty();
        OptionalInt restarts = parseInt(p.get("NRestarts"));
        int code = parseInt(p.get("ExecMainCode")).orElse(0);
        OptionalInt status = parseInt(p.get("ExecMainStatus"));
        // ExecMainCode is the waitid() si_code: 1 exited, 2 killed, 3 dumped core; 0 never ran.
        OptionalInt lastExit = code == 1 ? status : OptionalInt.empty();
        StringBuilder detail = new StringBuilder();
        if (!load.equals("loaded")) {
            detail.append(load).append(", ");
        }
        if (active.equals("failed") && !result.isEmpty()) {
            detail.append("failed (").append(result).append(')');
        } else {
            detail.append(active).append(" (").append(sub).append(')');
        }
        if ((code == 2 || code == 3) && status.isPresent()) {
            detail.append(", last ").append(code == 3 ? "dumped core on" : "killed by").append(" signal ")
                    .append(status.getAsInt());
        }
        return new ManagedState(true, running, pid, restarts, lastExit, detail.toString());
    }

    /**
     * Whether {@code systemctl --user is-enabled} says "enabled"; when systemctl cannot tell (no manager to
     * ask), whether the unit's link in default.target.wants exists, which is what enable makes.
     */
    public boolean isEnabled(String unitName) {
        try {
            CommandResult result = ctx.runner().run(systemctl("is-enabled", unitName), PlanApplier.TOOL_TIMEOUT);
            String answer = result.stdout().strip();
            if (ENABLEMENT_STATES.contains(answer)) {
                return answer.equals("enabled");
            }
            LOG.debug("`systemctl --user is-enabled {}` gave no state ({}); looking at the link", unitName, result.message());
        } catch (IOException e) {
            LOG.debug("`systemctl --user is-enabled {}` failed: {}; looking at the link", unitName, e.getMessage());
        }
        return Files.exists(unitDir.resolve("default.target.wants").resolve(unitName), LinkOption.NOFOLLOW_LINKS);
    }

    private boolean isActive(String unitName) {
        try {
            String answer = ctx.runner().run(systemctl("is-active", unitName), PlanApplier.TOOL_TIMEOUT).stdout().strip();
            return answer.equals("active") || answer.equals("activating") || answer.equals("reloading");
        } catch (IOException e) {
            return false;
        }
    }

    private void startQuietly(String unitName) {
        try {
            ctx.runner().run(systemctl("start", unitName), PlanApplier.TOOL_TIMEOUT);
        } catch (IOException e) {
            LOG.warn("could not start {} again after a failed uninstall: {}", unitName, e.getMessage());
        }
    }

    /** Dependencies whose unit is in the unit directory now: systemd runs them, so this unit orders after them. */
    private Set<String> installedDependencies(ServiceSpec spec) {
        Set<String> installed = new LinkedHashSet<>();
        for (String dependency : spec.dependsOn()) {
            if (Files.exists(unitFile(dependency))) {
                installed.add(dependency);
            }
        }
        return installed;
    }

    private int knownVersion() {
        try {
            return systemdVersion();
        } catch (ManagerException e) {
            throw new IllegalStateException("cannot tell which systemd this is, so no unit can be written: "
                    + e.getMessage(), e);
        }
    }

    private void call(Duration timeout, String... args) throws ManagerException {
        CommandResult result = run(systemctl(args), timeout);
        if (!result.ok()) {
            throw ManagerException.failed(result);
        }
    }

    private CommandResult run(List<String> argv, Duration timeout) throws ManagerException {
        try {
            return ctx.runner().run(argv, timeout);
        } catch (IOException e) {
            throw new ManagerException("`" + String.join(" ", argv) + "` could not run: " + e.getMessage(), e);
        }
    }

    private static void createDirectories(Path file) throws ManagerException {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ManagerException("cannot create the log directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String readIfPresent(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            // An unreadable unit is rewritten, which is what an install should do with it.
            return null;
        }
    }

    /** {@code systemctl --user <args>}. */
    public static List<String> systemctl(String... args) {
        return List.of(systemctlArray(args));
    }

    private static String[] systemctlArray(String... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = "systemctl";
        argv[1] = "--user";
        System.arraycopy(args, 0, argv, 2, args.length);
        return argv;
    }

    private static OptionalInt parseInt(String text) {
        try {
            return text == null || text.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static OptionalLong parseLong(String text) {
        try {
            return text == null || text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}

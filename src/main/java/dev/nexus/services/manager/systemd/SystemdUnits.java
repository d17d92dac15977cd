package dev.nexus.services.manager.systemd;

import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.daemon.DaemonSpawner;
import dev.nexus.services.manager.ManagerContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Renders the systemd user units of Nexus: {@code nexus-<service>.service} per daemon and
 * {@code nexus-services.service} for the engine. Pure: same input, same bytes (golden-file tested).
 *
 * <p>No unit ever holds a secret or any value of the service's {@code env}: ExecStart is the
 * {@code nexus-services exec <service>} shim, which reads the catalog at every start and applies the
 * service's environment itself (credential references resolved, literals as written; see
 * {@code ExecShim.plan} and {@code ServiceEnvironments.entries}). So the unit carries only
 * {@link ManagerContext#environment()}: PATH, NEXUS_ROOT and settings, and a catalog edit takes effect at
 * the next restart without re-installing.
 */
public final class SystemdUnits {
    /** The engine's own unit. */
    public static final String ENGINE_UNIT = "nexus-services.service";
    /** {@code Type=exec} and {@code StandardOutput=append:} exist from this version on. */
    public static final int APPEND_AND_EXEC_SINCE = 240;
    /** {@code RestartSteps=} and {@code RestartMaxDelaySec=} exist from this version on. */
    public static final int RESTART_STEPS_SINCE = 254;
    /** sysexits.h EX_CONFIG, what the exec shim exits with when a service cannot run as configured. */
    public static final int EX_CONFIG = 78;

    private static final Pattern SERVICE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    /** The engine gives up after this many quick failures (see {@link #engineUnit}). */
    private static final int ENGINE_START_BURST = 5;
    private static final Duration ENGINE_START_INTERVAL = Duration.ofSeconds(60);
    private static final Duration ENGINE_RESTART_DELAY = Duration.ofSeconds(2);
    private static final Duration ENGINE_STOP_TIMEOUT = Duration.ofSeconds(30);

    private SystemdUnits() {
    }

    /** {@code nexus-<service>.service}. */
    public static String unitName(String service) {
        if (service == null || !SERVICE_NAME.matcher(service).matches()) {
            throw new IllegalArgumentException("\"" + service + "\" is not a Nexus service name (1 to 40 lowercase"
                    + " letters, digits or \"-\", starting with a letter), so it cannot name a systemd unit");
        }
        return "nexus-" + service + ".service";
    }

    /** Whether units written for this systemd log to the journal (older than 240) instead of Nexus's log files. */
    public static boolean logsToJournal(int systemdVersion) {
        return systemdVersion < APPEND_AND_EXEC_SINCE;
    }

    /**
     * The unit of one daemon.
     *
     * @param systemdManaged the services that systemd runs too: only those among {@code dependsOn} can be
     *                       ordered with After=/Wants= (a dependency the engine runs is not a unit, and a stale
     *                       unit of it must not be pulled in)
     */
    public static String serviceUnit(ServiceSpec spec, ManagerContext ctx, int systemdVersion,
                                     Set<String> systemdManaged) {
        if (spec.kind() != ServiceKind.DAEMON) {
            throw new IllegalArgumentException(spec.name() + " is a " + spec.kind().id()
                    + "; only a daemon can be kept running by systemd");
        }
        String unit = unitName(spec.name());
        RestartSpec restart = spec.restart() != null ? spec.restart() : RestartSpec.DEFAULT;
        Duration stopTimeout = spec.stopTimeout() != null ? spec.stopTimeout() : ServiceSpec.DEFAULT_STOP_TIMEOUT;
        boolean modern = systemdVersion >= APPEND_AND_EXEC_SINCE;

        List<String> lines = new ArrayList<>();
        header(lines, "the Nexus service \"" + spec.name() + "\"",
                "Change the service in the Nexus catalog and run `nexus-services install " + spec.name()
                        + "` instead of editing it.");
        lines.add("# No secrets in here: `nexus-services exec` reads the catalog and resolves credentials at start.");
        lines.add("");
        lines.add("[Unit]");
        lines.add("Description=" + SystemdSyntax.text(description(spec)));
        List<String> after = spec.dependsOn().stream().filter(systemdManaged::contains).map(SystemdUnits::unitName).toList();
        if (!after.isEmpty()) {
            lines.add("After=" + String.join(" ", after));
            lines.add("Wants=" + String.join(" ", after));
        }
        lines.add("# Crash loops are detected by the Nexus engine, not by systemd's start limit.");
        lines.add("StartLimitIntervalSec=0");
        lines.add("");
        lines.add("[Service]");
        lines.add("Type=" + (modern ? "exec" : "simple"));
        lines.add("ExecStart=" + SystemdSyntax.commandLine(ctx.self().exec(spec.name())));
        Path workingDir = spec.workingDir() != null ? spec.workingDir() : ctx.paths().home();
        // "-": a missing directory is not systemd's error to report; the shim creates the default home or
        // exits 78 naming the directory.
        lines.add("WorkingDirectory=-" + SystemdSyntax.verbatimPath("WorkingDirectory", workingDir));
        environment(lines, ctx.environment());
        restart(lines, restart, systemdVersion);
        lines.add("# " + EX_CONFIG + " (EX_CONFIG): the service cannot run as configured; restarting will not help.");
        lines.add("RestartPreventExitStatus=" + EX_CONFIG);
        lines.add("# SIGTERM to the service, SIGKILL to whatever of it is left after the stop timeout.");
        lines.add("KillMode=mixed");
        lines.add("TimeoutStopSec=" + SystemdSyntax.timeSpan(stopTimeout));
        Path stdout = spec.log() != null ? spec.log().stdout() : ctx.paths().stdoutLog(spec.name());
        Path stderr = spec.log() != null ? spec.log().stderr() : ctx.paths().stderrLog(spec.name());
        output(lines, modern, stdout, stderr, unit);
        install(lines);
        return String.join("\n", lines) + "\n";
    }

    /**
     * The engine's unit: {@code nexus-services daemon --detached}, as {@code up} starts it (logs to
     * engine.log, stray output to engine.out), with the same small-JVM flags. {@code KillMode=process}:
     * stopping or restarting the engine leaves the services it started running for the next engine to adopt,
     * as everywhere else. Its own start limit stays on (5 quick failures a minute): nothing else watches the
     * engine, and an engine that exits at once because another one holds the lock must not retry forever.
     */
    public static String engineUnit(ManagerContext ctx, int systemdVersion) {
        boolean modern = systemdVersion >= APPEND_AND_EXEC_SINCE;
        List<String> lines = new ArrayList<>();
        header(lines, "the Nexus Services engine",
                "Turn \"start at login\" off and on again in nexus-services instead of editing it.");
        lines.add("");
        lines.add("[Unit]");
        lines.add("Description=Nexus Services engine");
        lines.add("StartLimitIntervalSec=" + SystemdSyntax.timeSpan(ENGINE_START_INTERVAL));
        lines.add("StartLimitBurst=" + ENGINE_START_BURST);
        lines.add("");
        lines.add("[Service]");
        lines.add("Type=" + (modern ? "exec" : "simple"));
        lines.add("ExecStart=" + SystemdSyntax.commandLine(engineCommand(ctx)));
        environment(lines, engineEnvironment(ctx));
        lines.add("Restart=on-failure");
        lines.add("RestartSec=" + SystemdSyntax.timeSpan(ENGINE_RESTART_DELAY));
        lines.add("# Services started by the engine outlive it, as they do when the engine runs without systemd.");
        lines.add("KillMode=process");
        lines.add("TimeoutStopSec=" + SystemdSyntax.timeSpan(ENGINE_STOP_TIMEOUT));
        Path out = ctx.paths().logs().resolve("engine.out");
        output(lines, modern, out, out, ENGINE_UNIT);
        install(lines);
        return String.join("\n", lines) + "\n";
    }

    /** What runs the engine at login: the daemon, detached (its log goes to engine.log, as with {@code up}). */
    public static List<String> engineCommand(ManagerContext ctx) {
        List<String> argv = new ArrayList<>(ctx.self().daemon());
        argv.add("--detached");
        return List.copyOf(argv);
    }

    /** The managed environment plus the engine's small-JVM flags, which {@code bin/nexus-services} reads. */
    public static Map<String, String> engineEnvironment(ManagerContext ctx) {
        Map<String, String> env = new java.util.LinkedHashMap<>(ctx.environment());
        env.putIfAbsent("NEXUS_JAVA_OPTS", String.join(" ", DaemonSpawner.DAEMON_JVM_FLAGS));
        return env;
    }

    private static String description(ServiceSpec spec) {
        String name = spec.displayName() != null && !spec.displayName().isBlank() ? spec.displayName() : spec.name();
        return name.toLowerCase(Locale.ROOT).startsWith("nexus") ? name : "Nexus " + name;
    }

    private static void header(List<String> lines, String what, String instead) {
        lines.add("# Generated by nexus-services for " + what + "; it will be overwritten.");
        lines.add("# " + instead);
    }

    private static void environment(List<String> lines, Map<String, String> env) {
        env.forEach((name, value) -> lines.add("Environment=" + SystemdSyntax.environmentAssignment(name, value)));
    }

    /**
     * The catalog's backoff as systemd can express it. From 254 on the delay grows from RestartSec to
     * RestartMaxDelaySec in RestartSteps exponential steps: as many steps as our multiplier needs to reach the
     * cap, so both reach it on the same restart. Before 254 the delay is fixed at the initial one.
     */
    private static void restart(List<String> lines, RestartSpec restart, int systemdVersion) {
        switch (restart.mode()) {
            case NEVER -> {
                lines.add("Restart=no");
                return;
            }
            case ON_FAILURE -> lines.add("Restart=on-failure");
            case ALWAYS -> lines.add("Restart=always");
            default -> throw new IllegalStateException("unknown restart mode " + restart.mode());
        }
        lines.add("RestartSec=" + SystemdSyntax.timeSpan(restart.initialDelay()));
        int steps = restartSteps(restart);
        if (systemdVersion >= RESTART_STEPS_SINCE && steps > 0) {
            lines.add("RestartSteps=" + steps);
            lines.add("RestartMaxDelaySec=" + SystemdSyntax.timeSpan(restart.maxDelay()));
        }
    }

    /** 0 when the delay does not grow (no initial delay, multiplier 1, or the cap is the initial delay). */
    static int restartSteps(RestartSpec restart) {
        double initial = restart.initialDelay().toNanos();
        double max = restart.maxDelay().toNanos();
        if (initial <= 0 || max <= initial || restart.multiplier() <= 1.0) {
            return 0;
        }
        // The epsilon keeps an exact power (1 s × 2^6 = 64 s) at 6 steps despite rounding in the logarithms.
        double steps = Math.log(max / initial) / Math.log(restart.multiplier());
        return (int) Math.max(1, Math.ceil(steps - 1e-9));
    }

    private static void output(List<String> lines, boolean modern, Path stdout, Path stderr, String unit) {
        if (modern) {
            lines.add("StandardOutput=append:" + SystemdSyntax.verbatimPath("StandardOutput", stdout));
            lines.add("StandardError=append:" + SystemdSyntax.verbatimPath("StandardError", stderr));
        } else {
            lines.add("# This systemd cannot append to files: `journalctl --user -u " + unit + "` has the output.");
            lines.add("StandardOutput=journal");
            lines.add("StandardError=journal");
            lines.add("SyslogIdentifier=" + unit.substring(0, unit.length() - ".service".length()));
        }
    }

    private static void install(List<String> lines) {
        lines.add("");
        lines.add("[Install]");
        lines.add("WantedBy=default.target");
    }
}

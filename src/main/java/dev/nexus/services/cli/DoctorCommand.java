package dev.nexus.services.cli;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.ManagerLookup;
import dev.nexus.services.manager.OsManagers;
import dev.nexus.services.manager.systemd.Linger;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.EncryptedFileStore;
import dev.nexus.services.credentials.use.CredentialUsage;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.supervise.ChildLauncher;
import dev.nexus.services.supervise.Executables;
import dev.nexus.services.supervise.LaunchRequest;
import dev.nexus.services.supervise.Ports;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "doctor", description = {"Check what would stop Nexus Services from working here, with a fix for each problem.",
    "Exit code 0 when nothing is wrong."})
final class DoctorCommand implements Callable<Integer> {
    private static final long MIN_FREE_BYTES = 100L * 1024 * 1024;
    /** Less than this is full: not even a log line or a state file fits. */
    private static final long FULL_BYTES = 64L * 1024;

    @Spec
    CommandLine.Model.CommandSpec spec;

    enum Level { OK, WARN, FAIL }

    record Check(Level level, String what, String fix) {
    }

    @Override
    public Integer call() {
        List<Check> checks = run(EngineCalls.paths());
        PrintWriter out = spec.commandLine().getOut();
        Terminal term = Terminal.detect();
        for (Check c : checks) {
            String mark = switch (c.level) {
                case OK -> term.paint(dev.nexus.services.health.DisplayStatus.HEALTHY, "✔");
                case WARN -> term.paint(dev.nexus.services.health.DisplayStatus.DEGRADED, "!");
                case FAIL -> term.paint(dev.nexus.services.health.DisplayStatus.DOWN, "✖");
            };
            out.println(mark + " " + c.what);
            if (c.fix != null) {
                out.println("    fix: " + c.fix);
            }
        }
        long failed = checks.stream().filter(c -> c.level == Level.FAIL).count();
        long warned = checks.stream().filter(c -> c.level == Level.WARN).count();
        out.println(failed == 0 && warned == 0 ? "Everything looks right."
                : failed + " problem(s), " + warned + " warning(s).");
        out.flush();
        return failed == 0 ? 0 : Main.EXIT_NOT_HEALTHY;
    }

    static List<Check> run(NexusPaths paths) {
        List<Check> checks = new ArrayList<>();
        checks.add(new Check(Level.OK, "Java " + Runtime.version().feature() + " ("
                + System.getProperty("java.home") + ")", null));
        checks.add(stateDir(paths));
        checks.add(runDir(paths));
        checks.add(logsDir(paths));
        checks.add(diskSpace(paths));
        if (isLinux()) {
            checks.add(Files.isExecutable(Path.of("/usr/bin/setsid"))
                    ? new Check(Level.OK, "setsid is available (services run in their own process group)", null)
                    : new Check(Level.WARN, "setsid is missing: a service's grandchildren may outlive a stop",
                    "install util-linux (apt-get install util-linux)"));
        }
        Catalog catalog = null;
        try {
            LoadResult loaded = new CatalogStore(paths, new CatalogCodec(paths)).load();
            // A bad file falls back to the built-in defaults, which are not what the user runs: checking
            // their programs and ports would report problems with services the user does not have.
            catalog = loaded.ok() ? loaded.catalog() : null;
            List<CatalogProblem> errors = loaded.problems().stream().filter(CatalogProblem::isError).toList();
            if (errors.isEmpty()) {
                checks.add(new Check(Level.OK, "services.json is valid (" + paths.catalogFile() + ")", null));
            } else {
                errors.forEach(p -> checks.add(new Check(Level.FAIL, p.toString(), "edit " + paths.catalogFile()
                        + " at that line; the engine runs the last good catalog meanwhile")));
            }
            loaded.problems().stream().filter(p -> !p.isError())
                    .forEach(p -> checks.add(new Check(Level.WARN, p.toString(), "remove or rename the field")));
        } catch (RuntimeException e) {
            checks.add(new Check(Level.FAIL, "cannot read " + paths.catalogFile() + ": " + e.getMessage(),
                    "check the file's permissions"));
        }
        checks.add(engine(paths));
        checks.addAll(credentials(paths, catalog));
        checks.addAll(managers(paths, catalog));
        if (catalog != null) {
            for (ServiceSpec s : catalog.services()) {
                if (s.enabled() && s.kind() != ServiceKind.CONNECTION) {
                    checks.add(binary(s));
                }
                if (s.enabled() && s.port() != null) {
                    checks.add(port(s, paths));
                }
            }
        }
        return checks;
    }

    /**
     * Which OS service manager each daemon ends up under, a manager asked for that cannot work here, and on
     * Linux whether systemd keeps user services running without a login session (lingering).
     */
    private static List<Check> managers(NexusPaths paths, Catalog catalog) {
        List<Check> checks = new ArrayList<>();
        Optional<ManagerContext> context = OsManagers.context(paths, System.getenv());
        if (context.isEmpty()) {
            return checks;
        }
        ManagerLookup lookup = OsManagers.lookup(context.get(), System.getenv());
        boolean systemd = false;
        if (catalog != null) {
            for (ServiceSpec s : catalog.services()) {
                if (s.kind() != ServiceKind.DAEMON || !s.enabled()) {
                    continue;
                }
                ManagerKind effective = lookup.effectiveKind(s.manager());
                systemd |= effective == ManagerKind.SYSTEMD;
                if (s.manager() != ManagerKind.AUTO && s.manager() != effective) {
                    checks.add(new Check(Level.WARN, s.name() + " asks for " + s.manager().id() + ", which cannot be "
                            + "used here (" + lookup.unavailableReason(s.manager()).orElse("unknown") + "); it runs under "
                            + effective.id(), "set its \"manager\" to auto or embedded in " + paths.catalogFile()));
                }
            }
        }
        List<String> usable = new ArrayList<>();
        for (ManagerKind kind : List.of(ManagerKind.SYSTEMD, ManagerKind.LAUNCHD, ManagerKind.WINDOWS_TASK)) {
            if (lookup.unavailableReason(kind).isEmpty()) {
                usable.add(kind.id());
            }
        }
        checks.add(new Check(Level.OK, "service managers: " + (usable.isEmpty() ? "the engine's own supervisor only"
                : "embedded, " + String.join(", ", usable)) + "; auto picks " + lookup.effectiveKind(ManagerKind.AUTO).id(),
                null));
        if (systemd) {
            String user = System.getProperty("user.name");
            try {
                Linger.Status linger = new Linger(context.get().runner()).check(user);
                checks.add(linger.enabled()
                        ? new Check(Level.OK, "systemd keeps " + user + "'s services running after logout (linger is on)", null)
                        : new Check(Level.WARN, "systemd stops " + user + "'s services at logout and starts them only at "
                        + "login (linger is off)", linger.advice().orElse(Linger.advice(user))));
            } catch (ManagerException e) {
                checks.add(new Check(Level.WARN, "cannot tell whether systemd keeps services after logout: "
                        + e.getMessage(), Linger.advice(user)));
            }
        }
        return checks;
    }

    /** Where secrets live, said plainly, and every credential the services need but nobody set. */
    private static List<Check> credentials(NexusPaths paths, Catalog catalog) {
        List<Check> checks = new ArrayList<>();
        Credentials credentials = Credentials.open(paths, System.getenv());
        CredentialStore active = credentials.active();
        checks.add(active.id().equals(EncryptedFileStore.ID)
                ? new Check(Level.WARN, "credentials are kept in " + active.description(),
                "run the tray or CLI inside a desktop session with a keychain (GNOME Keyring, KWallet, KeePassXC) "
                        + "to use it instead; see nexus-services credential where")
                : new Check(Level.OK, "credentials are kept in " + active.description(), null));
        if (catalog == null) {
            return checks;
        }
        for (Map.Entry<CredentialName, List<String>> used : CredentialUsage.of(catalog).all().entrySet()) {
            boolean enabledUser = used.getValue().stream()
                    .anyMatch(svc -> catalog.find(svc).map(ServiceSpec::enabled).orElse(false));
            if (!enabledUser) {
                continue;
            }
            try {
                if (credentials.get(used.getKey()).isEmpty()) {
                    checks.add(new Check(Level.FAIL, "credential " + used.getKey() + " is not set (used by "
                            + String.join(", ", used.getValue()) + ")",
                            "nexus-services credential set " + used.getKey() + ", or Settings › Credentials"));
                }
            } catch (CredentialException e) {
                checks.add(new Check(Level.FAIL, "credential " + used.getKey() + " cannot be read: " + e.getMessage(),
                        e.reason() == CredentialException.Reason.LOCKED ? "unlock your login keyring"
                                : "see nexus-services credential where"));
            }
        }
        return checks;
    }

    private static Check stateDir(NexusPaths paths) {
        try {
            Files.createDirectories(paths.state());
            Path probe = Files.createTempFile(paths.state(), ".doctor", ".tmp");
            Files.delete(probe);
            return new Check(Level.OK, "state directory is writable (" + paths.state() + ")", null);
        } catch (IOException e) {
            return new Check(Level.FAIL, "cannot write to " + paths.state() + ": " + e.getMessage(),
                    "make it writable, or point NEXUS_ROOT at a writable directory");
        }
    }

    private static Check runDir(NexusPaths paths) {
        Path run = paths.run();
        if (!Files.isDirectory(run)) {
            return new Check(Level.OK, "run directory will be created private (0700) at " + run, null);
        }
        try {
            String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(run));
            return perms.equals("rwx------")
                    ? new Check(Level.OK, "run directory is private (" + run + ")", null)
                    : new Check(Level.FAIL, "run directory " + run + " is " + perms + ": other users could reach "
                    + "the control socket", "chmod 700 " + run);
        } catch (UnsupportedOperationException | IOException e) {
            return new Check(Level.OK, "run directory exists (" + run + ")", null);
        }
    }

    /**
     * Free space where the logs are written: the file system of the logs directory itself (or of its
     * nearest existing parent), which need not be the root's (a separate mount).
     */
    private static Check diskSpace(NexusPaths paths) {
        try {
            Path existing = paths.logs();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            FileStore store = Files.getFileStore(existing == null ? Path.of(".") : existing);
            long free = store.getUsableSpace();
            if (free < FULL_BYTES) {
                return new Check(Level.FAIL, "the disk where logs are written is full (" + free / 1024 + " KiB free in "
                        + existing + "): services keep running, but their output and the engine's state are not saved",
                        "free some space there; logs rotate at 10 MB × 5 per service");
            }
            return free >= MIN_FREE_BYTES
                    ? new Check(Level.OK, "free disk space for logs: " + free / (1024 * 1024) + " MiB", null)
                    : new Check(Level.WARN, "only " + free / (1024 * 1024) + " MiB free where logs are written ("
                    + existing + ")", "free some space; logs rotate at 10 MB × 5 per service");
        } catch (IOException e) {
            return new Check(Level.WARN, "cannot tell free disk space: " + e.getMessage(), null);
        }
    }

    /**
     * The logs directory: writable (a read-only mount shows here). Missing is normal before the first
     * start; while an engine runs it means someone deleted it.
     */
    private static Check logsDir(NexusPaths paths) {
        Path logs = paths.logs();
        if (!Files.isDirectory(logs)) {
            if (!engineAnswers(paths)) {
                return new Check(Level.OK, "logs directory will be created at " + logs, null);
            }
            return new Check(Level.WARN, "the logs directory " + logs + " was deleted while the engine runs: each "
                    + "service's log starts again at its next line, the engine's at its next message",
                    "nothing to do; the logs written before are gone");
        }
        try {
            Path probe = Files.createTempFile(logs, ".doctor", ".tmp");
            Files.delete(probe);
            return new Check(Level.OK, "logs directory is writable (" + logs + ")", null);
        } catch (IOException e) {
            return new Check(Level.FAIL, "cannot write to " + logs + ": " + e.getMessage()
                    + " (services keep running; their output is dropped)", "make it writable");
        }
    }

    private static boolean engineAnswers(NexusPaths paths) {
        try (ControlClient c = ControlClient.connect(paths.controlSocket(), EngineCalls.CONNECT_TIMEOUT)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Check engine(NexusPaths paths) {
        try (ControlClient c = ControlClient.connect(paths.controlSocket(), EngineCalls.CONNECT_TIMEOUT)) {
            return new Check(Level.OK, "engine is running and answers on " + paths.controlSocket(), null);
        } catch (EngineNotRunningException e) {
            boolean stale = Files.exists(paths.controlSocket());
            return new Check(Level.WARN, stale ? "engine is not running (a stale control socket is left; it is "
                    + "replaced on start)" : "engine is not running: services are not supervised",
                    "nexus-services up");
        } catch (IOException e) {
            return new Check(Level.FAIL, "engine does not answer: " + e.getMessage(),
                    "nexus-services daemon stop, then nexus-services up");
        }
    }

    private static Check binary(ServiceSpec s) {
        String program = s.command().get(0);
        return Executables.find(program, System.getenv()).isPresent()
                ? new Check(Level.OK, s.name() + ": " + program + " found", null)
                : new Check(Level.FAIL, s.name() + ": " + program + " not found on PATH",
                "install Nexus so that `" + program + "` is on PATH, or set the full path in \"command\" of "
                        + s.name() + " in services.json (or disable it)");
    }

    private static Check port(ServiceSpec s, NexusPaths paths) {
        int port = s.port();
        if (!Ports.isListening(port)) {
            return new Check(Level.OK, s.name() + ": port " + port + " is free", null);
        }
        OptionalLong owner = Ports.listenerPid(port);
        OptionalLong child = new ChildLauncher(paths, (req, err) -> OutputStream.nullOutputStream(), Clock.systemUTC())
                .provenPid(new LaunchRequest(s.name(), s.command(), s.workingDir(), Map.of(), s.log(), Set.of()));
        boolean ours = owner.isPresent() && child.isPresent() && (owner.getAsLong() == child.getAsLong()
                || ProcessHandle.of(child.getAsLong()).map(h -> h.descendants()
                .anyMatch(d -> d.pid() == owner.getAsLong())).orElse(false));
        return ours ? new Check(Level.OK, s.name() + ": port " + port + " is in use by its own process (pid "
                + owner.getAsLong() + ")", null)
                : new Check(Level.WARN, s.name() + ": port " + port + " is in use"
                + (owner.isPresent() ? " by pid " + owner.getAsLong() : " by another process")
                + "; " + s.name() + " cannot start while it is",
                "stop that process, or change \"port\" of " + s.name() + " in services.json");
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }
}

package dev.nexus.services.cli;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.LoginLauncher;
import dev.nexus.services.manager.ManagedState;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.ManagerLookup;
import dev.nexus.services.manager.OsManagers;
import dev.nexus.services.manager.ServiceManager;
import dev.nexus.services.manager.ToolCall;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code install} and {@code uninstall}: hand daemons to the OS's own service manager (systemd --user,
 * launchd, a Windows task) and start the engine or the tray at login. Both are idempotent and print every
 * file written and command run; {@code --dry-run} prints the same without doing it.
 *
 * <p>When the engine runs, a service changing manager is moved by the engine (stop in one, start in the
 * other); otherwise the definition is written here and the service starts with the engine.
 */
abstract class InstallCommands implements Callable<Integer> {
    @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Daemons to act on (default: all that use an OS manager).")
    List<String> services = new ArrayList<>();

    @Option(names = "--engine", description = "The engine at login (a systemd user unit, a LaunchAgent or a logon task).")
    boolean engine;

    @Option(names = "--tray", description = "The tray app at login.")
    boolean tray;

    @Option(names = "--dry-run", description = "Show what would be written and run, change nothing.")
    boolean dryRun;

    @Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out;
    NexusPaths paths;
    ManagerContext context;
    ManagerLookup lookup;

    @Override
    public final Integer call() throws Exception {
        out = spec.commandLine().getOut();
        paths = EngineCalls.paths();
        Map<String, String> env = System.getenv();
        context = OsManagers.context(paths, env).orElseThrow(() -> new IllegalStateException(
                "installing needs the nexus-services launcher (bin/nexus-services or the installed command): "
                        + "unit files and tasks must name a program that is still there at the next login"));
        lookup = OsManagers.lookup(context, env);
        try {
            return run(env);
        } finally {
            out.flush();
        }
    }

    abstract int run(Map<String, String> env) throws Exception;

    CatalogStore store() {
        return new CatalogStore(paths, new CatalogCodec(paths));
    }

    Catalog goodCatalog(CatalogStore store) {
        LoadResult loaded = store.load();
        if (!loaded.ok()) {
            throw new IllegalArgumentException(store.file() + " has errors, so nothing was changed: "
                    + loaded.errors().stream().map(CatalogProblem::toString).collect(Collectors.joining("; ")));
        }
        return loaded.catalog();
    }

    /** The named daemons, or every daemon when none is named; anything else named is an error. */
    List<ServiceSpec> daemons(Catalog catalog) {
        if (services.isEmpty()) {
            return catalog.services().stream().filter(s -> s.kind() == ServiceKind.DAEMON).toList();
        }
        List<ServiceSpec> found = new ArrayList<>();
        for (String name : services) {
            ServiceSpec s = catalog.find(name).orElseThrow(() -> new IllegalArgumentException("no service named \""
                    + name + "\" in " + paths.catalogFile() + " (there are: " + String.join(", ", catalog.names()) + ")"));
            if (s.kind() != ServiceKind.DAEMON) {
                throw new IllegalArgumentException(name + " is a " + s.kind().id()
                        + ": the engine runs it itself, no OS manager is involved");
            }
            found.add(s);
        }
        return found;
    }

    Optional<LoginLauncher> login(Map<String, String> env) {
        return OsManagers.loginLauncher(context, env);
    }

    void print(String heading, InstallPlan plan) {
        out.println(heading);
        if (plan.isEmpty()) {
            out.println("  already in place, nothing changed");
            return;
        }
        for (GeneratedFile file : plan.write()) {
            out.println("  " + (dryRun ? "would write " : "wrote   ") + display(file.path()));
            if (dryRun) {
                file.content().lines().forEach(line -> out.println("      " + line));
            }
        }
        for (Path path : plan.remove()) {
            out.println("  " + (dryRun ? "would remove " : "removed ") + display(path));
        }
        for (ToolCall call : plan.commands()) {
            out.println("  " + (dryRun ? "would run " : "ran     ") + call);
        }
    }

    private String display(Path path) {
        Path home = context.userHome();
        return path.startsWith(home) ? "~/" + home.relativize(path) : path.toString();
    }

    /** Reloads the running engine and prints its table; false when no engine runs. */
    boolean reloadEngine() throws Exception {
        try (ControlClient client = EngineCalls.connect()) {
            EngineSnapshot result = EngineCalls.snapshot(client.call("reload", Json.MAPPER.createObjectNode(),
                    EngineCalls.COMMAND));
            out.print(StatusTable.render(result, Terminal.detect()));
            return true;
        } catch (EngineNotRunningException e) {
            return false;
        }
    }

    static String loginHeading(LoginItem item) {
        return (item == LoginItem.ENGINE ? "the engine" : "the tray") + " at login";
    }

    @Command(name = "install", description = {"Hand daemons to the OS service manager and start Nexus at login.",
        "  install                      the engine at login, and every daemon whose manager is an OS one",
        "  install cloud --manager systemd   move cloud to systemd --user (saved in services.json)",
        "  install --tray               the tray app at login",
        "auto picks launchd on macOS and systemd --user where a user manager answers; Windows keeps the",
        "embedded supervisor and runs the engine from a logon task. Nothing written holds a secret: units",
        "run `nexus-services exec SERVICE`, which fetches credentials at start."})
    static final class Install extends InstallCommands {
        @Option(names = "--manager", paramLabel = "KIND",
                description = "Move the named daemons to this manager first: auto, embedded, systemd, launchd or windows-task.")
        String manager;

        @Override
        int run(Map<String, String> env) throws Exception {
            boolean services = !this.services.isEmpty() || manager != null || (!engine && !tray);
            if (manager != null && this.services.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--manager needs the services to move");
            }
            if (services) {
                installServices();
            }
            if (engine || tray || (this.services.isEmpty() && manager == null)) {
                LoginLauncher launcher = login(env).orElseThrow(() -> new IllegalStateException(
                        "starting at login is not supported on this system"));
                for (LoginItem item : engine || tray ? selected() : List.of(LoginItem.ENGINE)) {
                    print(loginHeading(item), dryRun ? launcher.enablePlan(item) : launcher.enable(item));
                }
            }
            return 0;
        }

        private List<LoginItem> selected() {
            List<LoginItem> items = new ArrayList<>();
            if (engine) {
                items.add(LoginItem.ENGINE);
            }
            if (tray) {
                items.add(LoginItem.TRAY);
            }
            return items;
        }

        private void installServices() throws Exception {
            CatalogStore store = store();
            Catalog catalog = goodCatalog(store);
            List<ServiceSpec> daemons = daemons(catalog);
            if (manager != null) {
                ManagerKind kind = ManagerKind.fromId(manager);
                Optional<String> why = lookup.unavailableReason(kind);
                if (why.isPresent()) {
                    throw new IllegalArgumentException(kind.id() + " cannot be used here: " + why.get());
                }
                if (dryRun) {
                    daemons = daemons.stream().map(s -> s.withManager(kind)).toList();
                } else {
                    catalog = withManager(catalog, daemons, kind);
                    store.save(catalog);
                    daemons = daemons(catalog);
                    out.println("services.json: " + daemons.stream().map(ServiceSpec::name)
                            .collect(Collectors.joining(", ")) + " → manager " + kind.id());
                    if (reloadEngine()) {
                        out.println("The engine moved " + (daemons.size() == 1 ? "it" : "them")
                                + " (stopped under the old manager first, then started under the new one).");
                        return;
                    }
                }
            }
            int installed = 0;
            for (ServiceSpec s : daemons) {
                ManagerKind kind = lookup.effectiveKind(s.manager());
                Optional<ServiceManager> os = lookup.manager(kind);
                if (os.isEmpty()) {
                    if (!this.services.isEmpty()) {
                        out.println(s.name() + " → embedded: the engine runs it, nothing to install (move it with "
                                + "--manager " + OsManagers.autoOrder(dev.nexus.services.credentials.HostOs.CURRENT)
                                .stream().findFirst().map(ManagerKind::id).orElse("systemd") + ")");
                    }
                    continue;
                }
                print(s.name() + " → " + kind.id(), dryRun ? os.get().installPlan(s) : os.get().install(s));
                installed++;
            }
            if (installed == 0 && this.services.isEmpty()) {
                ManagerKind preferred = OsManagers.autoOrder(dev.nexus.services.credentials.HostOs.CURRENT).stream()
                        .findFirst().orElse(null);
                out.println("services: every daemon runs under the engine's own supervisor"
                        + (preferred == null ? "" : lookup.unavailableReason(preferred)
                        .map(why -> " (" + preferred.id() + " cannot be used here: " + why + ")").orElse("")));
            }
        }
    }

    @Command(name = "uninstall", description = {"Take daemons back from the OS service manager, or stop starting Nexus at login.",
        "  uninstall                    every daemon out of its OS manager, and the engine at login",
        "  uninstall cloud              cloud back to the embedded supervisor (saved in services.json)",
        "  uninstall --tray             the tray app no longer starts at login",
        "Services keep running under the engine when it runs."})
    static final class Uninstall extends InstallCommands {
        @Override
        int run(Map<String, String> env) throws Exception {
            boolean services = !this.services.isEmpty() || (!engine && !tray);
            if (services) {
                uninstallServices();
            }
            if (engine || tray || this.services.isEmpty()) {
                Optional<LoginLauncher> launcher = login(env);
                if (launcher.isPresent()) {
                    List<LoginItem> items = new ArrayList<>();
                    if (engine || !tray) {
                        items.add(LoginItem.ENGINE);
                    }
                    if (tray) {
                        items.add(LoginItem.TRAY);
                    }
                    for (LoginItem item : items) {
                        print(loginHeading(item), dryRun ? launcher.get().disablePlan(item) : launcher.get().disable(item));
                    }
                }
            }
            return 0;
        }

        private void uninstallServices() throws Exception {
            CatalogStore store = store();
            Catalog catalog = goodCatalog(store);
            List<ServiceSpec> daemons = daemons(catalog);
            List<ServiceSpec> moving = daemons.stream()
                    .filter(s -> lookup.effectiveKind(s.manager()) != ManagerKind.EMBEDDED).toList();
            if (!dryRun && !moving.isEmpty()) {
                store.save(withManager(catalog, moving, ManagerKind.EMBEDDED));
                out.println("services.json: " + moving.stream().map(ServiceSpec::name).collect(Collectors.joining(", "))
                        + " → manager embedded");
                if (reloadEngine()) {
                    out.println("The engine moved " + (moving.size() == 1 ? "it" : "them")
                            + " back to its own supervisor (stopped and removed from the OS manager first).");
                    return;
                }
            }
            // No engine to move them: remove every OS definition these daemons have, whichever manager holds it.
            for (ServiceSpec s : daemons) {
                for (ManagerKind kind : List.of(ManagerKind.SYSTEMD, ManagerKind.LAUNCHD, ManagerKind.WINDOWS_TASK)) {
                    Optional<ServiceManager> os = lookup.manager(kind);
                    if (os.isEmpty() || os.get().unavailableReason().isPresent() || !installed(os.get(), s.name())) {
                        continue;
                    }
                    print(s.name() + " ← " + kind.id(), dryRun ? os.get().uninstallPlan(s.name())
                            : os.get().uninstall(s.name()));
                }
            }
        }

        private static boolean installed(ServiceManager manager, String service) {
            try {
                ManagedState state = manager.state(service);
                return state.installed();
            } catch (ManagerException e) {
                // Cannot tell: uninstalling is idempotent, so try.
                return true;
            }
        }
    }

    static Catalog withManager(Catalog catalog, List<ServiceSpec> which, ManagerKind kind) {
        List<String> names = which.stream().map(ServiceSpec::name).toList();
        return new Catalog(catalog.version(), catalog.services().stream()
                .map(s -> names.contains(s.name()) ? s.withManager(kind) : s).toList());
    }
}

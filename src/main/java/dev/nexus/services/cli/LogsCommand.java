package dev.nexus.services.cli;

import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.ManagerLookup;
import dev.nexus.services.manager.OsManagers;
import dev.nexus.services.manager.systemd.JournalLogs;
import dev.nexus.services.manager.systemd.SystemdUnits;
import dev.nexus.services.manager.systemd.SystemdUserManager;
import dev.nexus.services.logs.LogFollower;
import dev.nexus.services.logs.LogTail;
import dev.nexus.services.support.NexusPaths;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "logs", description = {"Show a service's log (its stdout; --err for stderr), or the engine's own log",
    "with the name \"engine\". Reads the files directly: works with or without a running engine."})
final class LogsCommand implements Callable<Integer> {
    static final String ENGINE = "engine";

    @Parameters(paramLabel = "SERVICE", description = "A service name, or \"engine\".")
    String service;

    @Option(names = {"-n", "--lines"}, defaultValue = "50", description = "How many of the last lines (default: ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines as they are written (Ctrl-C to stop); follows rotation.")
    boolean follow;

    @Option(names = "--err", description = "The stderr log instead of stdout.")
    boolean stderr;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (lines < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lines must be 0 or more, got " + lines);
        }
        NexusPaths paths = EngineCalls.paths();
        Optional<ServiceSpec> serviceSpec = service.equals(ENGINE) ? Optional.empty() : Optional.of(find(paths));
        Optional<List<String>> journal = serviceSpec.flatMap(s -> journal(paths, s));
        if (journal.isPresent()) {
            // Its unit logs to the journal (systemd before 240 cannot append to files): journalctl shows it.
            return new ProcessBuilder(journal.get()).inheritIO().start().waitFor();
        }
        Path file = serviceSpec.isEmpty() ? engineLog(paths) : logFile(serviceSpec.get());
        PrintWriter out = spec.commandLine().getOut();
        if (!follow) {
            LogTail.lastLines(file, lines).forEach(out::println);
            out.flush();
            return 0;
        }
        try (LogFollower follower = LogFollower.start(file, lines, batch -> {
            batch.forEach(out::println);
            out.flush();
        })) {
            follower.awaitStopped();
        }
        return 0;
    }

    private Path engineLog(NexusPaths paths) {
        return stderr ? paths.logs().resolve("engine.out") : paths.engineLog();
    }

    /** journalctl's command line when the service runs under a systemd that logs it to the journal. */
    private Optional<List<String>> journal(NexusPaths paths, ServiceSpec s) {
        if (s.kind() != ServiceKind.DAEMON || s.manager() == ManagerKind.EMBEDDED) {
            return Optional.empty();
        }
        return OsManagers.context(paths, System.getenv()).flatMap(ctx -> {
            ManagerLookup lookup = OsManagers.lookup(ctx, System.getenv());
            if (lookup.effectiveKind(s.manager()) != ManagerKind.SYSTEMD) {
                return Optional.empty();
            }
            try {
                int version = new SystemdUserManager(ctx, System.getenv()).systemdVersion();
                return SystemdUnits.logsToJournal(version)
                        ? Optional.of(JournalLogs.argv(s.name(), lines, follow)) : Optional.empty();
            } catch (ManagerException e) {
                return Optional.empty();
            }
        });
    }

    private ServiceSpec find(NexusPaths paths) {
        CatalogStore store = new CatalogStore(paths, new CatalogCodec(paths));
        List<ServiceSpec> services = store.load().catalog().services();
        ServiceSpec s = services.stream().filter(x -> x.name().equals(service)).findFirst().orElseThrow(() ->
                new CommandLine.ParameterException(spec.commandLine(), "unknown service \"" + service + "\" (known: "
                        + String.join(", ", services.stream().map(ServiceSpec::name).toList()) + ", engine)"));
        return s;
    }

    private Path logFile(ServiceSpec s) {
        if (s.log() == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), service + " is a " + s.kind().id()
                    + " and has no log files; see `nexus-services status " + service + "`");
        }
        return stderr ? s.log().stderr() : s.log().stdout();
    }
}

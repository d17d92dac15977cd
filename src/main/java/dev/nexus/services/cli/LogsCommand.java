package dev.nexus.services.cli;

import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.logs.LogFollower;
import dev.nexus.services.logs.LogTail;
import dev.nexus.services.support.NexusPaths;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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
        Path file = logFile(EngineCalls.paths());
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

    private Path logFile(NexusPaths paths) {
        if (service.equals(ENGINE)) {
            return stderr ? paths.logs().resolve("engine.out") : paths.engineLog();
        }
        CatalogStore store = new CatalogStore(paths, new CatalogCodec(paths));
        List<ServiceSpec> services = store.load().catalog().services();
        ServiceSpec s = services.stream().filter(x -> x.name().equals(service)).findFirst().orElseThrow(() ->
                new CommandLine.ParameterException(spec.commandLine(), "unknown service \"" + service + "\" (known: "
                        + String.join(", ", services.stream().map(ServiceSpec::name).toList()) + ", engine)"));
        if (s.log() == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), service + " is a " + s.kind().id()
                    + " and has no log files; see `nexus-services status " + service + "`");
        }
        return stderr ? s.log().stderr() : s.log().stdout();
    }
}

package dev.nexus.services.cli;

import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.daemon.EngineDaemon;
import dev.nexus.services.support.Json;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "daemon", description = {"Run the engine in the foreground (one per user).",
    "`up` starts it in the background for you; `daemon stop` stops it and leaves services running."},
        subcommands = DaemonCommand.Stop.class)
final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--detached", hidden = true, description = "Log to engine.log instead of stderr.")
    boolean detached;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            new EngineDaemon(EngineCalls.paths()).run(detached);
            return 0;
        } catch (EngineDaemon.AlreadyRunningException e) {
            // Not a failure: what was asked for is running. launchd (KeepAlive SuccessfulExit=false), systemd
            // (Restart=on-failure) and a logon task would otherwise start this one again and again.
            spec.commandLine().getErr().println("nexus-services: " + e.getMessage() + "; nothing to do");
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop the engine. Services keep running; the next engine re-adopts them.")
    static final class Stop implements Callable<Integer> {
        private static final Duration GONE_TIMEOUT = Duration.ofSeconds(15);

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (ControlClient client = EngineCalls.connect()) {
                client.call("shutdown", Json.MAPPER.createObjectNode(), EngineCalls.QUICK);
            } catch (EngineNotRunningException e) {
                spec.commandLine().getOut().println("The engine is not running.");
                return 0;
            }
            long deadline = System.nanoTime() + GONE_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!Files.exists(EngineCalls.paths().controlSocket())) {
                    spec.commandLine().getOut().println("Engine stopped; services keep running.");
                    return 0;
                }
                Thread.sleep(25);
            }
            spec.commandLine().getErr().println("nexus-services: the engine did not stop within "
                    + GONE_TIMEOUT.toSeconds() + " s");
            return Main.EXIT_FAILED;
        }
    }
}

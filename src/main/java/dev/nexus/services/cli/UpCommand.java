package dev.nexus.services.cli;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.support.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "up", description = {"Start the engine if needed, then every enabled service in dependency order.",
    "Exit code 0 when all enabled services are healthy, 1 otherwise."})
final class UpCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EngineSnapshot result = EngineCalls.command("up", Json.MAPPER.createObjectNode());
        PrintWriter out = spec.commandLine().getOut();
        out.print(StatusTable.render(result, Terminal.detect()));
        out.flush();
        return StatusTable.allHealthy(result.services()) ? 0 : Main.EXIT_NOT_HEALTHY;
    }
}

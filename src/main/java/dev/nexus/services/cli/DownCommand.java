package dev.nexus.services.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.support.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "down", description = {"Stop every service, dependents first.",
    "The engine keeps running: `nexus-services daemon stop` stops it."})
final class DownCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObjectNode none = Json.MAPPER.createObjectNode();
        EngineSnapshot result = EngineCalls.command("down", none);
        PrintWriter out = spec.commandLine().getOut();
        out.print(StatusTable.render(result, Terminal.detect()));
        out.flush();
        return result.services().stream().allMatch(s -> s.status() == DisplayStatus.STOPPED) ? 0 : Main.EXIT_NOT_HEALTHY;
    }
}

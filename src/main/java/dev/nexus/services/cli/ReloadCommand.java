package dev.nexus.services.cli;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.support.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "reload", description = {"Re-read services.json in the running engine.",
    "A bad file is reported with its line and the engine keeps the last good catalog; running services",
    "keep their old settings until they are restarted. Exit code 0 when the file was taken."})
final class ReloadCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EngineSnapshot result = EngineCalls.command("reload", Json.MAPPER.createObjectNode());
        PrintWriter out = spec.commandLine().getOut();
        out.print(StatusTable.render(result, Terminal.detect()));
        out.flush();
        return result.engine().catalogOk() ? 0 : Main.EXIT_FAILED;
    }
}

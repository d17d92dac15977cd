package dev.nexus.services.cli;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.GatewayMode;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "gateway", description = {"Show or set gateway.mode: local (the gateway runs here, supervised) or",
    "remote (the same session to a ws:// or wss:// gateway elsewhere, no local process).",
    "  nexus-services gateway                      shows the mode",
    "  nexus-services gateway local",
    "  nexus-services gateway remote wss://host/",
    "Saves services.json and has a running engine reload it."})
final class GatewayCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODE", description = "local or remote")
    String mode;

    @Parameters(index = "1", arity = "0..1", paramLabel = "URL", description = "the remote gateway (remote only)")
    String url;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        NexusPaths paths = EngineCalls.paths();
        CatalogStore store = new CatalogStore(paths, new CatalogCodec(paths));
        LoadResult loaded = store.load();
        if (!loaded.ok()) {
            throw new IllegalArgumentException(store.file() + " has errors, so gateway.mode was not changed: "
                    + loaded.errors().stream().map(CatalogProblem::toString).collect(Collectors.joining("; ")));
        }
        PrintWriter out = spec.commandLine().getOut();
        Catalog catalog = loaded.catalog();
        if (mode == null) {
            out.println(describe(catalog));
            out.flush();
            return 0;
        }
        GatewayMode wanted = switch (mode) {
            case "local" -> GatewayMode.LOCAL;
            case "remote" -> GatewayMode.REMOTE;
            default -> throw new IllegalArgumentException("gateway.mode is local or remote, not \"" + mode + "\"");
        };
        if (wanted == GatewayMode.LOCAL && url != null) {
            throw new IllegalArgumentException("a local gateway takes no URL (got \"" + url + "\")");
        }
        URI remote = wanted == GatewayMode.REMOTE ? GatewayMode.parseRemoteUrl(url) : null;
        Catalog next = GatewayMode.switchTo(catalog, paths, wanted, remote);
        if (next.equals(catalog)) {
            out.println(describe(catalog) + " (unchanged)");
            out.flush();
            return 0;
        }
        store.save(next);
        out.println(describe(next) + " (saved to " + store.file() + ")");
        // A running engine takes the change now; none is started just for this.
        try (ControlClient client = EngineCalls.connect()) {
            EngineSnapshot result = EngineCalls.snapshot(client.call("reload", Json.MAPPER.createObjectNode(),
                    EngineCalls.COMMAND));
            out.print(StatusTable.render(result, Terminal.detect()));
        } catch (EngineNotRunningException e) {
            out.println("The engine is not running; the new mode applies when it starts (nexus-services up).");
        }
        out.flush();
        return 0;
    }

    private static String describe(Catalog catalog) {
        return GatewayMode.of(catalog).map(m -> m == GatewayMode.LOCAL
                        ? "gateway.mode: local (port " + catalog.find(GatewayMode.SERVICE).orElseThrow().port() + ")"
                        : "gateway.mode: remote (" + GatewayMode.remoteUrl(catalog).map(URI::toString).orElse("no URL") + ")")
                .orElse("gateway.mode: none (services.json has no service named gateway)");
    }
}

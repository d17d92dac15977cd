package dev.nexus.services.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.OneShotStatus;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.support.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "status", description = {"Show every service: state, health, pid, uptime, restarts, latency.",
    "Exit code 0 when all enabled services are healthy, 1 otherwise.",
    "Without a running engine, probes once and says that supervision is off."})
final class StatusCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Only these services.")
    List<String> services = new ArrayList<>();

    @Option(names = "--json", description = "Machine-readable output (docs/CONTROL_API.md); with --watch, one event per line.")
    boolean json;

    @Option(names = "--watch", description = "Keep showing changes as they happen (needs a running engine).")
    boolean watch;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (watch) {
            return watch(out);
        }
        return once(out, services, json);
    }

    /**
     * One look at the services, printed; returns the exit code. Also run by {@link Main} without
     * picocli for the plain forms. With {@code --json} and a running engine, the engine's own JSON is
     * printed as it came: decoding it into records only to encode it again cost a fifth of the start-up
     * budget, and the text is the same (both sides serialise the same records with {@link Json#MAPPER}).
     */
    static int once(PrintWriter out, List<String> services, boolean json) throws Exception {
        EngineSnapshot snapshot;
        try (ControlClient client = EngineCalls.connect()) {
            JsonNode reply = client.call("snapshot", Json.MAPPER.createObjectNode(), EngineCalls.QUICK);
            if (json) {
                JsonNode shown = onlyJson(reply, services);
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(shown));
                out.flush();
                return allHealthyJson(shown) ? 0 : Main.EXIT_NOT_HEALTHY;
            }
            snapshot = EngineCalls.snapshot(reply);
        } catch (EngineNotRunningException e) {
            snapshot = OneShotStatus.probe(EngineCalls.paths());
        }
        snapshot = only(snapshot, services);
        print(out, snapshot, json);
        return StatusTable.allHealthy(snapshot.services()) ? 0 : Main.EXIT_NOT_HEALTHY;
    }

    private static void print(PrintWriter out, EngineSnapshot snapshot, boolean json) throws Exception {
        if (json) {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(snapshot));
        } else {
            out.print(StatusTable.render(snapshot, Terminal.detect()));
        }
        out.flush();
    }

    /** Keeps the named services, in catalog order; an unknown name is an error naming the known ones. */
    static EngineSnapshot only(EngineSnapshot snapshot, List<String> names) {
        if (names.isEmpty()) {
            return snapshot;
        }
        requireKnown(snapshot.services().stream().map(ServiceSnapshot::name).toList(), names);
        return new EngineSnapshot(snapshot.version(), snapshot.engine(),
                snapshot.services().stream().filter(s -> names.contains(s.name())).toList(), snapshot.at());
    }

    /** {@link #only} for a snapshot still in its JSON form. */
    static JsonNode onlyJson(JsonNode snapshot, List<String> names) {
        if (names.isEmpty()) {
            return snapshot;
        }
        List<String> known = new ArrayList<>();
        snapshot.path("services").forEach(s -> known.add(s.path("name").asText()));
        requireKnown(known, names);
        ObjectNode kept = snapshot.deepCopy();
        ArrayNode list = kept.putArray("services"); // replaces the field where it stands
        snapshot.path("services").forEach(s -> {
            if (names.contains(s.path("name").asText())) {
                list.add(s);
            }
        });
        return kept;
    }

    private static void requireKnown(List<String> known, List<String> names) {
        List<String> unknown = names.stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown service " + String.join(", ", unknown) + " (known: "
                    + String.join(", ", known) + ")");
        }
    }

    /** {@link StatusTable#allHealthy} for a snapshot still in its JSON form. */
    static boolean allHealthyJson(JsonNode snapshot) {
        for (JsonNode s : snapshot.path("services")) {
            if (s.path("enabled").asBoolean(false) && !DisplayStatus.HEALTHY.name().equals(s.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    private int watch(PrintWriter out) throws Exception {
        Terminal term = Terminal.detect();
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Object disconnected = new Object();
        try (ControlClient client = EngineCalls.connect()) {
            client.onEvent((name, data) -> events.add(new EngineEventFrame(name, data)));
            client.onDisconnect(() -> events.add(disconnected));
            EngineSnapshot snapshot = only(EngineCalls.snapshot(
                    client.call("subscribe", Json.MAPPER.createObjectNode(), EngineCalls.QUICK)), services);
            Map<String, ServiceSnapshot> current = new LinkedHashMap<>();
            snapshot.services().forEach(s -> current.put(s.name(), s));
            EngineSnapshot.EngineInfo info = snapshot.engine();
            redraw(out, term, new EngineSnapshot(snapshot.version(), info, List.copyOf(current.values()), Instant.now()));
            while (true) {
                Object next = events.poll(1, TimeUnit.SECONDS);
                if (next == disconnected) {
                    spec.commandLine().getErr().println("nexus-services: the engine went away");
                    return Main.EXIT_FAILED;
                }
                if (next instanceof EngineEventFrame frame) {
                    // Only the services asked for, in both output forms; engine events concern them all.
                    if (!services.isEmpty() && !frame.name.equals("engine")
                            && !services.contains(frame.data.path("name").asText())) {
                        continue;
                    }
                    if (json) {
                        out.println(Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode()
                                .put("event", frame.name).set("data", frame.data)));
                        out.flush();
                        continue;
                    }
                    if (frame.name.equals("engine")) {
                        info = Json.MAPPER.treeToValue(frame.data, EngineSnapshot.EngineInfo.class);
                    } else {
                        ServiceSnapshot s = Json.MAPPER.treeToValue(frame.data, ServiceSnapshot.class);
                        if (frame.name.equals("removed")) {
                            current.remove(s.name());
                        } else {
                            current.put(s.name(), s);
                        }
                    }
                }
                if (!json && (next != null || term.interactive())) {
                    // On a terminal the clock keeps uptimes moving; in a pipe only real changes print.
                    redraw(out, term, new EngineSnapshot(snapshot.version(), info, List.copyOf(current.values()),
                            Instant.now()));
                }
            }
        }
    }

    private void redraw(PrintWriter out, Terminal term, EngineSnapshot snapshot) throws Exception {
        if (json) {
            out.println(Json.MAPPER.writeValueAsString(snapshot));
        } else {
            if (term.interactive()) {
                out.print("\u001b[H\u001b[2J");
            }
            out.print(StatusTable.render(snapshot, term));
            if (!term.interactive()) {
                out.println();
            }
        }
        out.flush();
    }

    private record EngineEventFrame(String name, JsonNode data) {
    }
}

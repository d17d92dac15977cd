package dev.nexus.services.tray.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.EngineNotRunningException;
import dev.nexus.services.support.Json;
import dev.nexus.services.tray.EngineCommands;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A test double for the engine: records each control op it is sent and answers with a canned reply, or
 * fails the way the real client does when no engine runs. For view-model rules only; the window tests use a
 * real engine over a real control socket.
 */
final class RecordingEngineCommands implements EngineCommands {
    record Call(String op, ObjectNode args) {
    }

    private final List<Call> calls = new ArrayList<>();
    private final Map<String, CompletableFuture<JsonNode>> answers = new HashMap<>();

    /** Every op fails like a missing control socket. */
    static RecordingEngineCommands notRunning() {
        return new RecordingEngineCommands();
    }

    RecordingEngineCommands answer(String op, JsonNode reply) {
        answers.put(op, CompletableFuture.completedFuture(reply));
        return this;
    }

    RecordingEngineCommands fail(String op, Throwable error) {
        answers.put(op, CompletableFuture.failedFuture(error));
        return this;
    }

    @Override
    public synchronized CompletableFuture<JsonNode> call(String op, ObjectNode args) {
        calls.add(new Call(op, args.deepCopy()));
        return answers.getOrDefault(op, CompletableFuture.failedFuture(new EngineNotRunningException(
                Path.of("control.sock"), "the engine is not running (no control socket at control.sock)")));
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<String> ops() {
        return calls.stream().map(Call::op).toList();
    }

    /**
     * Adds {@code engine.managers} as the engine sends it, from quadruples kind, available ("true"/"false"),
     * reason (or null), effective.
     */
    static ObjectNode withManagers(ObjectNode snapshot, String... kindAvailableReasonEffective) {
        ArrayNode managers = ((ObjectNode) snapshot.path("engine")).putArray("managers");
        for (int i = 0; i < kindAvailableReasonEffective.length; i += 4) {
            ObjectNode m = managers.addObject();
            m.put("kind", kindAvailableReasonEffective[i]);
            m.put("available", Boolean.parseBoolean(kindAvailableReasonEffective[i + 1]));
            m.put("reason", kindAvailableReasonEffective[i + 2]);
            m.put("effective", kindAvailableReasonEffective[i + 3]);
        }
        return snapshot;
    }

    /** A snapshot as the engine sends it, with the fields the settings read: name, lifecycle, status. */
    static ObjectNode snapshot(String... nameLifecycleStatus) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", 1);
        root.putObject("engine").putArray("problems");
        ArrayNode services = root.putArray("services");
        for (int i = 0; i < nameLifecycleStatus.length; i += 3) {
            ObjectNode s = services.addObject();
            s.put("name", nameLifecycleStatus[i]);
            s.put("lifecycle", nameLifecycleStatus[i + 1]);
            s.put("status", nameLifecycleStatus[i + 2]);
        }
        return root;
    }
}

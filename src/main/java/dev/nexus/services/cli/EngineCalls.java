package dev.nexus.services.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.EngineControlHandler;
import dev.nexus.services.daemon.DaemonSpawner;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** The CLI side of the control API: connect (starting the daemon when asked), call, decode. */
final class EngineCalls {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration QUICK = Duration.ofSeconds(10);
    /** Commands wait as long as the engine may take, plus a margin for the reply. */
    static final Duration COMMAND = EngineControlHandler.COMMAND_TIMEOUT.plusSeconds(30);

    private EngineCalls() {
    }

    static NexusPaths paths() {
        return NexusPaths.current();
    }

    /** Connects to a running engine; throws EngineNotRunningException when there is none. */
    static ControlClient connect() throws IOException {
        return ControlClient.connect(paths().controlSocket(), CONNECT_TIMEOUT);
    }

    /** Connects, starting the daemon first when none runs. */
    static ControlClient connectStarting() throws IOException {
        DaemonSpawner.ensureRunning(paths());
        return connect();
    }

    static EngineSnapshot snapshot(JsonNode result) throws JsonProcessingException {
        return Json.MAPPER.treeToValue(result, EngineSnapshot.class);
    }

    static ObjectNode servicesArgs(List<String> services, boolean all) {
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (all) {
            args.put("all", true);
        } else {
            services.forEach(args.putArray("services")::add);
        }
        return args;
    }

    /** Runs one command against the engine (started if needed) and returns the snapshot it replied. */
    static EngineSnapshot command(String op, ObjectNode args) throws IOException, ControlException {
        try (ControlClient client = connectStarting()) {
            return snapshot(client.call(op, args, COMMAND));
        }
    }
}

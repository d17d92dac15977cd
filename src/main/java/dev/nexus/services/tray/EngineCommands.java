package dev.nexus.services.tray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * How tray windows ask the engine to do something (start, stop, reload, ...): control API ops
 * (docs/CONTROL_API.md) sent off the UI thread. The future fails with the engine's own message
 * (a ControlException) or an IOException when the engine cannot be reached; the UI shows either.
 */
@FunctionalInterface
public interface EngineCommands {
    CompletableFuture<JsonNode> call(String op, ObjectNode args);
}

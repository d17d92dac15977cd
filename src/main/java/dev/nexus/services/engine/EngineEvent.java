package dev.nexus.services.engine;

/**
 * Something the engine tells its subscribers. {@code type} is "service" (a service's visible state
 * changed; {@code service} holds it), "removed" (it left the catalog) or "engine" ({@code engine}
 * holds the engine's own info: catalog problems, reloads).
 */
public record EngineEvent(String type, ServiceSnapshot service, EngineSnapshot.EngineInfo engine) {
    public static EngineEvent service(ServiceSnapshot s) {
        return new EngineEvent("service", s, null);
    }

    public static EngineEvent removed(ServiceSnapshot s) {
        return new EngineEvent("removed", s, null);
    }

    public static EngineEvent engine(EngineSnapshot.EngineInfo info) {
        return new EngineEvent("engine", null, info);
    }
}

package dev.nexus.services.engine;

import dev.nexus.services.support.NexusPaths;
import java.time.Clock;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * How to build an engine. {@code environment} is the base environment children inherit (the
 * daemon's own, normally); tests pass their own clock, randomness and environment.
 */
public record EngineOptions(NexusPaths paths, Clock clock, RandomGenerator random, Map<String, String> environment) {
    public EngineOptions {
        environment = Map.copyOf(environment);
    }

    public static EngineOptions defaults(NexusPaths paths) {
        return new EngineOptions(paths, Clock.systemUTC(), new java.util.SplittableRandom(), System.getenv());
    }
}

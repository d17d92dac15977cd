package dev.nexus.services.engine;

import dev.nexus.services.credentials.use.SecretSource;
import dev.nexus.services.credentials.use.SystemSecrets;
import dev.nexus.services.manager.ManagerLookup;
import dev.nexus.services.support.InheritedEnvironment;
import dev.nexus.services.support.NexusPaths;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * How to build an engine. {@code environment} is the base environment children inherit (the
 * daemon's own, normally); {@code secrets} fills the catalog's credential references;
 * {@code wakeGrace} is how long after a wake from sleep failures only show as "waking up" and never
 * restart anything (DESIGN.md: 30 s); {@code managers} says which OS service managers can run a daemon
 * here ({@link ManagerLookup#EMBEDDED_ONLY} unless given). Tests pass their own clock, randomness,
 * environment, secrets, a short grace and stand-in managers.
 */
public record EngineOptions(NexusPaths paths, Clock clock, RandomGenerator random, Map<String, String> environment,
                            SecretSource secrets, Duration wakeGrace, ManagerLookup managers) {
    public static final Duration DEFAULT_WAKE_GRACE = Duration.ofSeconds(30);

    public EngineOptions {
        environment = Map.copyOf(environment);
        if (secrets == null) {
            secrets = new SystemSecrets(paths, environment);
        }
        if (wakeGrace == null) {
            wakeGrace = DEFAULT_WAKE_GRACE;
        }
        if (wakeGrace.isNegative()) {
            throw new IllegalArgumentException("wakeGrace must not be negative, got " + wakeGrace);
        }
        if (managers == null) {
            managers = ManagerLookup.EMBEDDED_ONLY;
        }
    }

    /** Every daemon under the embedded supervisor. */
    public EngineOptions(NexusPaths paths, Clock clock, RandomGenerator random, Map<String, String> environment,
                         SecretSource secrets, Duration wakeGrace) {
        this(paths, clock, random, environment, secrets, wakeGrace, ManagerLookup.EMBEDDED_ONLY);
    }

    /** With the default wake grace. */
    public EngineOptions(NexusPaths paths, Clock clock, RandomGenerator random, Map<String, String> environment,
                         SecretSource secrets) {
        this(paths, clock, random, environment, secrets, DEFAULT_WAKE_GRACE);
    }

    /** With the user's real secrets (keychain and 1Password, opened on first use). */
    public EngineOptions(NexusPaths paths, Clock clock, RandomGenerator random, Map<String, String> environment) {
        this(paths, clock, random, environment, null, DEFAULT_WAKE_GRACE);
    }

    public static EngineOptions defaults(NexusPaths paths) {
        return new EngineOptions(paths, Clock.systemUTC(), new java.util.SplittableRandom(),
                InheritedEnvironment.forChildren(System.getenv()));
    }

    public EngineOptions withWakeGrace(Duration grace) {
        return new EngineOptions(paths, clock, random, environment, secrets, grace, managers);
    }

    public EngineOptions withManagers(ManagerLookup lookup) {
        return new EngineOptions(paths, clock, random, environment, secrets, wakeGrace, lookup);
    }
}

package dev.nexus.services.engine;

import dev.nexus.services.credentials.use.ServiceEnvironments;
import dev.nexus.services.health.ProbeFactory;
import dev.nexus.services.supervise.ChildLauncher;
import dev.nexus.services.support.NexusPaths;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * What every service unit shares. {@code loop} is the engine's single thread: all unit state is read
 * and written there, so units need no locks; anything that finishes elsewhere (a probe, an exit)
 * hops back onto it. {@code blocking} is for the rare wait that must block (a port to be released, a
 * keychain read), so that neither the loop nor the probe timer ever does. {@code environments} builds
 * each child's environment with credentials resolved. {@code changed} takes the name of a service
 * whose state changed. {@code storageProblem} records (or, given null, clears) a problem writing one of
 * the engine's files, by what it concerns; it is listed in the engine's problems. Both may be called
 * from any thread.
 */
record EngineContext(NexusPaths paths, Clock clock, RandomGenerator random, ScheduledExecutorService loop,
                     ScheduledExecutorService probeTimer, Executor blocking, ProbeFactory probes,
                     ChildLauncher launcher, ServiceEnvironments environments, Consumer<String> changed,
                     BiConsumer<String, String> storageProblem) {
}

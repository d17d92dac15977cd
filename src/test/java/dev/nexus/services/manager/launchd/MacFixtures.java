package dev.nexus.services.manager.launchd;

import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.CommandRunner;
import dev.nexus.services.manager.ManagedEnvironment;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.SelfCommand;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Contexts and specs as a Mac user would have them, for goldens (fixed paths) and stand-in tests (temp HOME). */
final class MacFixtures {
    static final long UID = 501;
    static final String CANARY = "canary-7f3a-SECRET-do-not-write";
    static final LaunchdTiming FAST = new LaunchdTiming(Duration.ofMillis(20), Duration.ofMillis(500), Duration.ofSeconds(3));

    private MacFixtures() {
    }

    /** The caller's environment: a realistic PATH, and secrets that must never reach a plist. */
    static Map<String, String> callerEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/Users/ada/.npm-global/bin:/opt/homebrew/bin:/usr/bin:/bin:bin");
        env.put("LANG", "en_GB.UTF-8");
        env.put("NEXUS_AGENT_ID", "echo");
        env.put("NEXUS_CLOUD_TOKEN", CANARY);
        env.put("AWS_SECRET_ACCESS_KEY", CANARY);
        return env;
    }

    /** Fixed paths: goldens must not depend on where the test runs. */
    static ManagerContext goldenContext(Path home) {
        NexusPaths paths = new NexusPaths(home.resolve("nexus"));
        CommandRunner none = (argv, timeout) -> {
            throw new AssertionError("a pure generator ran " + argv);
        };
        return new ManagerContext(paths, home, new SelfCommand(Path.of("/Applications/Nexus Services.app/Contents/MacOS/nexus-services")),
                ManagedEnvironment.of(paths, callerEnv(), home, HostOs.MACOS), none, UID);
    }

    static ManagerContext standInContext(Path home, Path bin) {
        NexusPaths paths = new NexusPaths(home.resolve("nexus"));
        return new ManagerContext(paths, home, new SelfCommand(home.resolve("Applications/Nexus Services.app/Contents/MacOS/nexus-services")),
                ManagedEnvironment.of(paths, callerEnv(), home, HostOs.MACOS),
                dev.nexus.services.manager.RecordingStandIn.runnerUsing(bin), UID);
    }

    static ServiceSpec daemon(NexusPaths paths, String name, RestartSpec restart, Duration stopTimeout) {
        // A credential reference and a literal secret in the spec's env: the shim resolves them, no plist holds them.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NEXUS_CLOUD_TOKEN", CANARY);
        env.put("OPENAI_API_KEY", "credential:openai/default");
        return new ServiceSpec(name, name, ServiceKind.DAEMON, true, List.of("nexus", name, "--serve"), paths.home(), env,
                ManagerKind.LAUNCHD, List.of(), null, Probes.NONE, restart, stopTimeout,
                new LogSpec(paths.stdoutLog(name), paths.stderrLog(name), LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP),
                List.of(), null, null);
    }

    static ServiceSpec daemon(NexusPaths paths, String name) {
        return daemon(paths, name, RestartSpec.DEFAULT, Duration.ofSeconds(1));
    }

    static RestartSpec restart(RestartSpec.Mode mode, Duration initialDelay) {
        RestartSpec d = RestartSpec.DEFAULT;
        return new RestartSpec(mode, initialDelay, d.multiplier(), d.maxDelay(), d.jitter(), d.resetAfter(), d.crashLoopRuns(),
                d.shortRun(), d.crashLoopWindow(), d.crashLoopMaxDelay());
    }
}

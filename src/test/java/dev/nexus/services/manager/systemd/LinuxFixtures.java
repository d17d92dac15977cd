package dev.nexus.services.manager.systemd;

import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.manager.CommandRunner;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.SelfCommand;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Contexts and specs for the Linux manager tests. */
public final class LinuxFixtures {
    /** Placed in specs' env and in callers' environments: no generated file may ever contain it. */
    public static final String CANARY = "canary-5ecr3t-value-7f3a9c";

    private LinuxFixtures() {
    }

    /** A context that fails every tool call: for the pure renderers, which must not call any. */
    public static ManagerContext context(Path root, Path home, Path launcher, Map<String, String> environment) {
        CommandRunner none = (argv, timeout) -> {
            throw new AssertionError("a renderer ran " + argv);
        };
        return new ManagerContext(new NexusPaths(root), home, new SelfCommand(launcher), environment, none, 1000);
    }

    /** The usual layout: /home/ada, NEXUS_ROOT ~/nexus, the launcher in /opt. */
    public static ManagerContext adaContext() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/home/ada/.local/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("NEXUS_ROOT", "/home/ada/nexus");
        env.put("LANG", "en_US.UTF-8");
        return context(Path.of("/home/ada/nexus"), Path.of("/home/ada"),
                Path.of("/opt/nexus-services/bin/nexus-services"), env);
    }

    public static ServiceSpec daemon(NexusPaths paths, String name, String displayName, List<String> dependsOn,
                                     Map<String, String> env) {
        return new ServiceSpec(name, displayName, ServiceKind.DAEMON, true, List.of("nexus", name), paths.home(), env,
                ManagerKind.SYSTEMD, dependsOn, null, Probes.NONE, RestartSpec.DEFAULT, ServiceSpec.DEFAULT_STOP_TIMEOUT,
                new LogSpec(paths.stdoutLog(name), paths.stderrLog(name), LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP),
                List.of(), null, null);
    }

    public static ServiceSpec daemon(NexusPaths paths, String name, String displayName, List<String> dependsOn) {
        return daemon(paths, name, displayName, dependsOn, Map.of());
    }

    /** A spec whose env holds a literal canary and credential references (all must stay out of units). */
    public static ServiceSpec withSecrets(NexusPaths paths, String name) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ANTHROPIC_API_KEY", "credential:anthropic/default");
        env.put("GITHUB_TOKEN", "op://Private/GitHub/token");
        env.put("LITERAL_SECRET", CANARY);
        return daemon(paths, name, "With secrets", List.of(), env);
    }

    public static RestartSpec backoff(RestartSpec.Mode mode, Duration initial, double multiplier, Duration max) {
        RestartSpec d = RestartSpec.DEFAULT;
        return new RestartSpec(mode, initial, multiplier, max, d.jitter(), d.resetAfter(), d.crashLoopRuns(),
                d.shortRun(), d.crashLoopWindow(), d.crashLoopMaxDelay());
    }
}

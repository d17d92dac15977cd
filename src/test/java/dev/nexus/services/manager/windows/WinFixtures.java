package dev.nexus.services.manager.windows;

import dev.nexus.services.catalog.LogSpec;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.ManagedEnvironment;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.RecordingStandIn;
import dev.nexus.services.manager.SelfCommand;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Windows user's setup for stand-in tests (temp HOME) and the Windows-shaped strings the goldens use. */
final class WinFixtures {
    static final String USER = "DESKTOP-7Q2LK9M\\ada";
    static final String LAUNCHER = "C:\\Users\\ada\\AppData\\Local\\Programs\\Nexus Services\\nexus-services.exe";
    static final String PROFILE = "C:\\Users\\ada";
    static final String CANARY = "canary-91c2-SECRET-do-not-write";
    static final WindowsTiming FAST = new WindowsTiming(Duration.ofMillis(20), Duration.ofMillis(1500));

    private WinFixtures() {
    }

    static ManagerContext standInContext(Path home, Path bin) {
        NexusPaths paths = new NexusPaths(home.resolve("nexus"));
        Map<String, String> caller = new LinkedHashMap<>();
        caller.put("PATH", "C:\\Windows\\system32;C:\\Users\\ada\\AppData\\Roaming\\npm");
        caller.put("NEXUS_CLOUD_TOKEN", CANARY);
        return new ManagerContext(paths, home, new SelfCommand(home.resolve("Programs/Nexus Services/nexus-services.exe")),
                ManagedEnvironment.of(paths, caller, home, HostOs.WINDOWS), RecordingStandIn.runnerUsing(bin), -1);
    }

    static ServiceSpec daemon(NexusPaths paths, String name, RestartSpec restart) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NEXUS_CLOUD_TOKEN", CANARY);
        env.put("OPENAI_API_KEY", "credential:openai/default");
        return new ServiceSpec(name, "Nexus Cloud", ServiceKind.DAEMON, true, List.of("nexus", name), paths.home(), env,
                ManagerKind.WINDOWS_TASK, List.of(), null, Probes.NONE, restart, Duration.ofSeconds(1),
                new LogSpec(paths.stdoutLog(name), paths.stderrLog(name), LogSpec.DEFAULT_MAX_BYTES, LogSpec.DEFAULT_KEEP),
                List.of(), null, null);
    }

    static ServiceSpec daemon(NexusPaths paths, String name) {
        return daemon(paths, name, RestartSpec.DEFAULT);
    }
}

package dev.nexus.services.manager.linux;

import static dev.nexus.services.manager.systemd.LinuxFixtures.CANARY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.ManagedEnvironment;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.RecordingStandIn;
import dev.nexus.services.manager.SelfCommand;
import dev.nexus.services.manager.systemd.LinuxFixtures;
import dev.nexus.services.manager.systemd.SystemdUnits;
import dev.nexus.services.manager.systemd.SystemdUserManager;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary secret sits in the service's env (as a literal), next to credential references, and in the
 * caller's environment under the names secrets usually have. After installing the service and enabling both
 * login items (systemd user manager: a recording STAND-IN), no file in HOME and no systemctl argument
 * holds the canary, a reference, or the names of the service's variables.
 */
class NoSecretsInGeneratedFilesStandInTest {
    private static final List<String> FORBIDDEN = List.of(CANARY, "credential:", "op://", "ANTHROPIC_API_KEY",
            "GITHUB_TOKEN", "LITERAL_SECRET", "OPENAI_API_KEY");

    @TempDir
    Path tmp;

    @Test
    void nothingGeneratedHoldsASecret_StandIn() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home/ada"));
        Path bin = tmp.resolve("bin");
        RecordingStandIn systemctl = RecordingStandIn.create(bin, "systemctl")
                .reply(List.of("--version"), "systemd 254 (254.5-1)\n")
                .reply(List.of("--user", "is-enabled"), 1, "disabled\n", "");
        NexusPaths paths = new NexusPaths(home.resolve("nexus"));
        Map<String, String> caller = new LinkedHashMap<>();
        caller.put("PATH", "/usr/bin:/bin");
        caller.put("LANG", "C.UTF-8");
        caller.put("ANTHROPIC_API_KEY", CANARY);
        caller.put("OPENAI_API_KEY", CANARY);
        caller.put("NEXUS_AGENT_ID", "agent-7");
        ManagerContext ctx = new ManagerContext(paths, home, new SelfCommand(tmp.resolve("opt/bin/nexus-services")),
                ManagedEnvironment.of(paths, caller, home, HostOs.LINUX), RecordingStandIn.runnerUsing(bin), 1000);
        ServiceSpec cloud = LinuxFixtures.withSecrets(paths, "cloud");

        new SystemdUserManager(ctx, caller).install(cloud);
        LinuxLoginLauncher launcher = new LinuxLoginLauncher(ctx, caller);
        launcher.enable(LoginItem.TRAY);
        launcher.enable(LoginItem.ENGINE);
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                scanned++;
                String text = Files.readString(file);
                FORBIDDEN.stream().filter(text::contains).forEach(bad -> offenders.add(file + " holds " + bad));
            }
        }
        assertEquals(3, scanned, "the service unit, the engine unit and the tray's entry");
        for (List<String> call : systemctl.calls()) {
            FORBIDDEN.stream().filter(bad -> String.join(" ", call).contains(bad))
                    .forEach(bad -> offenders.add("systemctl " + call + " holds " + bad));
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void noUnitOrEntryVariantHoldsASecret() {
        Map<String, String> caller = Map.of("PATH", "/usr/bin", "GITHUB_TOKEN", CANARY, "LANG", "C");
        NexusPaths paths = new NexusPaths(tmp.resolve("nexus"));
        ManagerContext ctx = LinuxFixtures.context(paths.root(), tmp, tmp.resolve("bin/nexus-services"),
                ManagedEnvironment.of(paths, caller, tmp, HostOs.LINUX));
        ServiceSpec spec = LinuxFixtures.withSecrets(paths, "cloud");
        List<String> rendered = new ArrayList<>();
        for (int version : List.of(239, 252, 254)) {
            rendered.add(SystemdUnits.serviceUnit(spec, ctx, version, Set.of()));
            rendered.add(SystemdUnits.engineUnit(ctx, version));
        }
        rendered.add(DesktopEntries.tray(ctx));
        rendered.add(DesktopEntries.engine(ctx));
        for (String text : rendered) {
            for (String bad : FORBIDDEN) {
                assertFalse(text.contains(bad), bad + " in\n" + text);
            }
        }
    }
}

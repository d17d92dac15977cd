package dev.nexus.services.manager.systemd;

import static dev.nexus.services.manager.systemd.LinuxFixtures.daemon;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.manager.ManagerContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REAL {@code systemd-analyze verify --user} (no manager needed) reads the generated units: it reports
 * syntax it cannot parse, unknown specifiers (an unescaped %) and an ExecStart executable that does not
 * exist, so a launcher path with spaces, % and $ that is quoted wrong fails here (an unescaped "%u"
 * would become the user name). Skipped where systemd is not installed. Runs with HOME and XDG_RUNTIME_DIR
 * inside the temp dir.
 */
class SystemdAnalyzeVerifyTest {
    @TempDir
    Path tmp;
    private Path home;
    private Path runtime;

    @BeforeEach
    void needsSystemdAnalyze() throws IOException {
        assumeTrue(Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").anyMatch(p -> Files.isExecutable(Path.of(p))),
                "systemd-analyze is not installed");
        home = Files.createDirectories(tmp.resolve("home"));
        runtime = Files.createDirectories(tmp.resolve("run"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void unitsWithAwkwardPathsParseCleanly() throws Exception {
        Path launcher = tmp.resolve("Apps 50%u/nexus $x/bin/nexus-services");
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path root = tmp.resolve("Nexus 100% \"mine\" $HOME");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", tmp + "/My Tools/bin:/usr/bin:/bin");
        env.put("NEXUS_ROOT", root.toString());
        ManagerContext ctx = LinuxFixtures.context(root, home, launcher, env);
        Files.createDirectories(ctx.paths().logs());
        ServiceSpec base = daemon(ctx.paths(), "odd-one", "Odd 100% one", List.of("gateway"));
        ServiceSpec spec = new ServiceSpec(base.name(), base.displayName(), base.kind(), true, base.command(),
                Files.createDirectories(tmp.resolve("work dir/it's \\ here")), Map.of(), ManagerKind.SYSTEMD,
                base.dependsOn(), null, Probes.NONE, RestartSpec.DEFAULT, ServiceSpec.DEFAULT_STOP_TIMEOUT, base.log(),
                List.of(), null, null);
        int local = localVersion();

        for (int version : List.of(239, 252, 254)) {
            List<String> complaints = verify("nexus-odd-one.service",
                    SystemdUnits.serviceUnit(spec, ctx, version, Set.of("gateway")));
            if (version >= SystemdUnits.RESTART_STEPS_SINCE && local < SystemdUnits.RESTART_STEPS_SINCE) {
                complaints.removeIf(line -> line.contains("Unknown key 'RestartSteps'")
                        || line.contains("Unknown key 'RestartMaxDelaySec'"));
            }
            assertEquals(List.of(), complaints, "systemd " + local + " about the unit for systemd " + version);
        }
        assertEquals(List.of(), verify(SystemdUnits.ENGINE_UNIT, SystemdUnits.engineUnit(ctx, 252)), "engine unit");
    }

    @Test
    void theCheckItselfNoticesAnUnescapedPercentAndAMissingExecutable() throws Exception {
        List<String> complaints = verify("nexus-broken.service", """
                [Unit]
                Description=Broken 100%c

                [Service]
                ExecStart=/nonexistent/nexus-services exec broken
                """);
        assertTrue(complaints.stream().anyMatch(l -> l.contains("%c")), String.join("\n", complaints));
        assertTrue(complaints.stream().anyMatch(l -> l.contains("/nonexistent/nexus-services")), String.join("\n", complaints));
    }

    private List<String> verify(String name, String content) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("units-" + System.nanoTime()));
        Path unit = dir.resolve(name);
        Files.writeString(unit, content, StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("systemd-analyze", "verify", "--user", "--man=no", unit.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().remove("XDG_CONFIG_HOME");
        pb.environment().put("SYSTEMD_LOG_COLOR", "0");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze did not finish");
        List<String> lines = new ArrayList<>(output.lines().filter(l -> !l.isBlank()).toList());
        if (p.exitValue() != 0 && lines.isEmpty()) {
            lines.add("exit " + p.exitValue());
        }
        return lines;
    }

    private static int localVersion() throws Exception {
        Process p = new ProcessBuilder("systemd-analyze", "--version").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return SystemdVersion.parse(output);
    }
}

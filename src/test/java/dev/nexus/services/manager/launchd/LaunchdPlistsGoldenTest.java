package dev.nexus.services.manager.launchd;

import dev.nexus.services.manager.Golden;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.daemon.DaemonSpawner;
import dev.nexus.services.manager.ManagerContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every LaunchAgent variant against its golden file, and read back with the JDK's XML parser. */
class LaunchdPlistsGoldenTest {
    private static final Path HOME = Path.of("/Users/ada");
    private final ManagerContext ctx = MacFixtures.goldenContext(HOME);

    @Test
    void onFailureServiceRunsTheShimWithAnExplicitEnvironmentAndIsKeptAliveOnlyAfterAFailure() throws Exception {
        String xml = LaunchdPlists.service(MacFixtures.daemon(ctx.paths(), "gateway", RestartSpec.DEFAULT, Duration.ofSeconds(10)), ctx);
        Golden.assertMatches("launchd/dev.nexus.gateway.plist", xml);

        Map<String, Object> plist = Plists.read(xml);
        assertEquals("dev.nexus.gateway", plist.get("Label"));
        assertEquals(List.of("/Applications/Nexus Services.app/Contents/MacOS/nexus-services", "exec", "gateway"),
                plist.get("ProgramArguments"));
        assertEquals(ctx.environment(), plist.get("EnvironmentVariables"));
        assertEquals(Map.of("SuccessfulExit", false), plist.get("KeepAlive"));
        assertEquals(true, plist.get("RunAtLoad"));
        assertEquals(10L, plist.get("ThrottleInterval"), "a 1 s initial backoff is raised to launchd's 10 s");
        assertEquals(10L, plist.get("ExitTimeOut"));
        assertEquals("Interactive", plist.get("ProcessType"));
        assertEquals("/Users/ada", plist.get("WorkingDirectory"));
        assertEquals("/Users/ada/nexus/state/logs/gateway.log", plist.get("StandardOutPath"));
        assertEquals("/Users/ada/nexus/state/logs/gateway.err.log", plist.get("StandardErrorPath"));
        String path = (String) ((Map<?, ?>) plist.get("EnvironmentVariables")).get("PATH");
        assertTrue(path.startsWith("/Users/ada/.npm-global/bin:/opt/homebrew/bin:"), path);
        assertFalse(path.contains(":bin:"), "a relative PATH entry means nothing to launchd: " + path);
    }

    @Test
    void alwaysServiceWithASlowBackoffAndAShortStopTimeout() throws Exception {
        ServiceSpec spec = MacFixtures.daemon(ctx.paths(), "cloud",
                MacFixtures.restart(RestartSpec.Mode.ALWAYS, Duration.ofMillis(25_400)), Duration.ofMillis(2_500));
        String xml = LaunchdPlists.service(spec, ctx);
        Golden.assertMatches("launchd/dev.nexus.cloud-always.plist", xml);

        Map<String, Object> plist = Plists.read(xml);
        assertEquals(true, plist.get("KeepAlive"));
        assertEquals(26L, plist.get("ThrottleInterval"), "rounded up, above the floor");
        assertEquals(3L, plist.get("ExitTimeOut"), "rounded up: launchd counts whole seconds");
    }

    @Test
    void neverRestartedService() throws Exception {
        ServiceSpec spec = MacFixtures.daemon(ctx.paths(), "hub-worker",
                MacFixtures.restart(RestartSpec.Mode.NEVER, Duration.ofSeconds(1)), Duration.ofMillis(200));
        String xml = LaunchdPlists.service(spec, ctx);
        Golden.assertMatches("launchd/dev.nexus.hub-worker-never.plist", xml);

        Map<String, Object> plist = Plists.read(xml);
        assertEquals(false, plist.get("KeepAlive"));
        assertEquals(1L, plist.get("ExitTimeOut"), "0 would mean 'wait for ever' to launchd");
    }

    @Test
    void pathsWithXmlSpecialCharactersAreEscapedAndReadBackUnchanged() throws Exception {
        Path home = Path.of("/Users/R&D \"lab\" <ada>'s");
        ManagerContext odd = MacFixtures.goldenContext(home);
        String xml = LaunchdPlists.service(MacFixtures.daemon(odd.paths(), "cloud"), odd);
        Golden.assertMatches("launchd/escaping.plist", xml);

        Map<String, Object> plist = Plists.read(xml);
        assertEquals(home.toString(), plist.get("WorkingDirectory"));
        assertEquals(home.resolve("nexus/state/logs/cloud.log").toString(), plist.get("StandardOutPath"));
        assertEquals(home.resolve("nexus").toString(), ((Map<?, ?>) plist.get("EnvironmentVariables")).get("NEXUS_ROOT"));
        assertFalse(xml.contains("R&D "), "a bare & is not XML");
    }

    @Test
    void engineAgentRunsTheDaemonWithItsSmallHeapAndIsKeptAliveAfterAFailure() throws Exception {
        String xml = LaunchdPlists.engine(ctx);
        Golden.assertMatches("launchd/dev.nexus.services.engine.plist", xml);

        Map<String, Object> plist = Plists.read(xml);
        assertEquals("dev.nexus.services.engine", plist.get("Label"));
        assertEquals(List.of("/Applications/Nexus Services.app/Contents/MacOS/nexus-services", "daemon"), plist.get("ProgramArguments"));
        assertEquals(Map.of("SuccessfulExit", false), plist.get("KeepAlive"));
        assertEquals(true, plist.get("RunAtLoad"));
        assertEquals(String.join(" ", DaemonSpawner.DAEMON_JVM_FLAGS),
                ((Map<?, ?>) plist.get("EnvironmentVariables")).get("NEXUS_JAVA_OPTS"));
        assertEquals("/Users/ada/nexus/state/logs/engine.out", plist.get("StandardErrorPath"),
                "where `nexus-services logs engine --stderr` looks");
    }

    @Test
    void trayLoginItemStartsOnceInTheGraphicalSessionOnly() throws Exception {
        String xml = LaunchdPlists.tray(ctx);
        Golden.assertMatches("launchd/dev.nexus.services.tray.plist", xml);

        Map<String, Object> plist = Plists.read(xml);
        assertEquals(List.of("/Applications/Nexus Services.app/Contents/MacOS/nexus-services", "tray"), plist.get("ProgramArguments"));
        assertEquals(true, plist.get("RunAtLoad"));
        assertFalse(plist.containsKey("KeepAlive"), "a tray the user quit stays quit");
        assertEquals("Interactive", plist.get("ProcessType"));
        assertEquals("Aqua", plist.get("LimitLoadToSessionType"));
    }

    @Test
    void noPlistHoldsASecretFromTheSpecOrTheCallersEnvironment() {
        ServiceSpec spec = MacFixtures.daemon(ctx.paths(), "cloud");
        for (String xml : List.of(LaunchdPlists.service(spec, ctx), LaunchdPlists.engine(ctx), LaunchdPlists.tray(ctx))) {
            assertFalse(xml.contains(MacFixtures.CANARY), xml);
            assertFalse(xml.contains("credential:"), "not even the reference: the shim reads it from the catalog");
        }
    }

    @Test
    void aControlCharacterCannotBeWrittenAndIsNamed() {
        ManagerContext odd = MacFixtures.goldenContext(Path.of("/Users/ada\u0007"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchdPlists.service(MacFixtures.daemon(odd.paths(), "cloud"), odd));
        assertTrue(e.getMessage().contains("U+0007"), e.getMessage());
    }

    @Test
    void aNameThatIsNotAServiceNameIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LaunchdPlists.label("../evil"));
        assertThrows(IllegalArgumentException.class, () -> LaunchdPlists.label("Cloud"));
        assertEquals("dev.nexus.cloud", LaunchdPlists.label("cloud"));
    }
}

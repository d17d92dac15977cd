package dev.nexus.services.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.support.NexusPaths;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorCommandTest {
    @TempDir
    Path root;

    private static DoctorCommand.Check find(List<DoctorCommand.Check> checks, String fragment) {
        return checks.stream().filter(c -> c.what().contains(fragment)).findFirst()
                .orElseThrow(() -> new AssertionError("no check mentions \"" + fragment + "\": " + checks));
    }

    @Test
    void aFreshRootHasTheDefaultsAndNamesWhatIsMissingWithAFix() {
        List<DoctorCommand.Check> checks = DoctorCommand.run(new NexusPaths(root));

        assertEquals(DoctorCommand.Level.OK, find(checks, "services.json is valid").level());
        assertEquals(DoctorCommand.Level.OK, find(checks, "state directory is writable").level());
        DoctorCommand.Check engine = find(checks, "engine is not running");
        assertEquals(DoctorCommand.Level.WARN, engine.level());
        assertEquals("nexus-services up", engine.fix());
        if (!System.getenv().getOrDefault("PATH", "").contains("nexus")) {
            DoctorCommand.Check nexus = find(checks, "gateway: nexus not found on PATH");
            assertEquals(DoctorCommand.Level.FAIL, nexus.level());
            assertTrue(nexus.fix().startsWith("install Nexus"), nexus.fix());
        }
    }

    @Test
    void aBadCatalogIsReportedAtItsLineWithAFix() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), "{\n  \"version\": 1,\n  \"services\": [\n    {\"name\": \"gateway\", "
                + "\"command\": [\"x\"], \"port\": 70000}\n  ]\n}\n");

        DoctorCommand.Check bad = find(DoctorCommand.run(paths), "services.json:4:");
        assertEquals(DoctorCommand.Level.FAIL, bad.level());
        assertTrue(bad.what().contains("/services/0/port"), bad.what());
        assertNotNull(bad.fix());
    }

    @Test
    void aPortHeldByAnotherProcessIsAWarningNamingItsPid() throws Exception {
        try (ServerSocket foreign = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            NexusPaths paths = new NexusPaths(root);
            Files.createDirectories(paths.state());
            Files.writeString(paths.catalogFile(), "{\"version\": 1, \"services\": [{\"name\": \"gateway\", "
                    + "\"command\": [\"true\"], \"port\": " + foreign.getLocalPort() + "}]}");

            DoctorCommand.Check port = find(DoctorCommand.run(paths), "port " + foreign.getLocalPort());
            assertEquals(DoctorCommand.Level.WARN, port.level());
            assertTrue(port.what().contains("pid " + ProcessHandle.current().pid()), port.what());
        }
    }

    @Test
    void aCredentialAServiceNeedsButNobodySetIsAProblemWithTheCommandThatFixesIt() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), "{\"version\": 1, \"services\": [{\"name\": \"gateway\", "
                + "\"command\": [\"true\"], \"env\": {\"ANTHROPIC_API_KEY\": \"credential:anthropic/default\"}}]}");

        DoctorCommand.Check missing = find(DoctorCommand.run(paths), "credential anthropic/default is not set");
        assertEquals(DoctorCommand.Level.FAIL, missing.level());
        assertTrue(missing.what().contains("used by gateway"), missing.what());
        assertTrue(missing.fix().startsWith("nexus-services credential set anthropic/default"), missing.fix());
        assertNotNull(find(DoctorCommand.run(paths), "credentials are kept in"));
    }
}

package dev.nexus.services.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real launcher with no engine running: help, usage errors, one-shot status, doctor, logs. */
class CliWithoutEngineIT {
    private static final List<String> COMMANDS = List.of("status", "start", "stop", "restart", "up", "down", "logs",
            "daemon", "doctor", "gateway", "install", "uninstall");

    @TempDir
    Path tempDir;
    private TestRoot root;
    private Cli cli;
    private int port;

    @BeforeEach
    void setUp() {
        root = TestRoot.in(tempDir);
        cli = root.cli();
        port = ServicesJson.freePort();
        root.writeCatalog(ServicesJson.catalog()
                .add(ServicesJson.fixtureDaemon("gateway", port, root.pidFile("gateway")))
                .add(ServicesJson.shellJob("hub", "echo '{\"updates\":[1,2]}'"))
                .text());
    }

    @AfterEach
    void nothingLeft() {
        root.assertNothingLeft();
    }

    @Test
    void versionPrintsTheProductAndJavaVersion() {
        for (String flag : List.of("--version", "-V")) {
            Launcher.Result r = cli.expect(0, flag);
            assertTrue(Pattern.compile("nexus-services \\d+\\.\\d+\\.\\d+\\S*").matcher(r.outLines().get(0)).matches(),
                    "first line names the product and its version: " + r);
            assertTrue(r.out().contains("Java " + Runtime.version().feature()), "names the Java running it: " + r);
            assertEquals("", r.err(), r.toString());
        }
    }

    @Test
    void helpListsEveryCommand() {
        Launcher.Result r = cli.expect(0, "--help");
        assertTrue(r.out().startsWith("Usage: nexus-services"), r.toString());
        for (String command : COMMANDS) {
            assertTrue(Pattern.compile("(?m)^  " + command + "\\s+\\S").matcher(r.out()).find(),
                    "the help lists `" + command + "` with a description: " + r);
        }
    }

    @Test
    void helpStatusDescribesItsOptionsAndExitCode() {
        Launcher.Result r = cli.expect(0, "help", "status");
        assertTrue(r.out().startsWith("Usage: nexus-services status"), r.toString());
        assertTrue(r.out().contains("--json") && r.out().contains("--watch"), r.toString());
        assertTrue(r.out().contains("Exit code 0 when all enabled services are healthy, 1 otherwise"), r.toString());
    }

    @Test
    void gatewayModeSwitchesToRemoteAndBackAndABadUrlChangesNothing() throws Exception {
        cli.expect(0, "gateway", "remote", "wss://gw.example.com/");
        Launcher.Result shown = cli.expect(0, "gateway");
        assertEquals("gateway.mode: remote (wss://gw.example.com/)", shown.out().strip(), shown.toString());
        String remote = java.nio.file.Files.readString(root.catalogFile());
        assertTrue(remote.contains("connection") && remote.contains("wss://gw.example.com/"), remote);

        Launcher.Result bad = cli.expect(3, "gateway", "remote", "https://gw.example.com/");
        assertTrue(bad.err().contains("starts with ws:// or wss://"), bad.toString());
        assertEquals(remote, java.nio.file.Files.readString(root.catalogFile()), "a refused change writes nothing");

        Launcher.Result local = cli.expect(0, "gateway", "local");
        assertTrue(local.out().startsWith("gateway.mode: local (port 18789) (saved to "), local.toString());
        assertTrue(local.out().contains("the new mode applies when it starts"), local.toString());
        assertEquals("gateway.mode: local (port 18789) (unchanged)", cli.expect(0, "gateway", "local").out().strip());
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Launcher.Result r = cli.expect(2, "frobnicate");
        assertTrue(r.err().contains("'frobnicate'"), "the message names what was not understood: " + r);
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Launcher.Result r = cli.expect(2, "status", "--frobnicate");
        assertTrue(r.err().contains("Unknown option: '--frobnicate'"), r.toString());
        assertTrue(r.err().contains("Usage: nexus-services status"), "shows how to use the command: " + r);
    }

    @Test
    void badArgumentsToLogsAreUsageErrors() {
        assertTrue(cli.expect(2, "logs").err().contains("Missing required parameter: 'SERVICE'"));
        assertTrue(cli.expect(2, "logs", "gateway", "-n", "-1").err().contains("--lines must be 0 or more, got -1"));
        assertTrue(cli.expect(2, "logs", "gateway", "-n", "many").err().contains("'many'"));
    }

    @Test
    void statusWithoutAnEngineSaysSupervisionIsOffAndExitsOne() {
        Launcher.Result r = cli.expect(1, "status");
        assertTrue(r.outLines().get(0).contains("supervision is off"), "the first line says so: " + r);
        assertTrue(r.out().contains("nexus-services up"), "and how to turn it on: " + r);
        String gateway = line(r, "gateway");
        assertTrue(gateway.contains("stopped") && gateway.contains("not running"), gateway);
        assertTrue(line(r, "hub").contains("not scheduled while the engine is not running"), r.toString());
    }

    @Test
    void statusJsonWithoutAnEngineSaysNotSupervising() {
        Launcher.Result r = cli.expect(1, "status", "--json");
        JsonNode snapshot = r.json();
        assertEquals(1, snapshot.path("version").asInt(), r.toString());
        JsonNode engine = snapshot.path("engine");
        assertFalse(engine.path("supervising").asBoolean(true), r.toString());
        assertTrue(engine.path("pid").isNull(), "no engine, no pid: " + r);
        assertEquals(root.catalogFile().toString(), engine.path("catalogFile").asText());
        JsonNode gateway = TestRoot.service(snapshot, "gateway");
        assertEquals("STOPPED", gateway.path("lifecycle").asText());
        assertEquals("STOPPED", gateway.path("status").asText());
        assertTrue(gateway.path("pid").isNull());
        assertEquals("job", TestRoot.service(snapshot, "hub").path("kind").asText());
    }

    @Test
    void statusOfAnUnknownServiceNamesTheKnownOnes() {
        Launcher.Result r = cli.run("status", "nosuch");
        assertTrue(r.exit() != 0, r.toString());
        assertTrue(r.err().contains("unknown service nosuch (known: gateway, hub)"), r.toString());
    }

    @Test
    void doctorPassesWithAWarningForTheStoppedEngine() {
        Launcher.Result r = cli.expect(0, "doctor");
        assertTrue(r.out().contains("services.json is valid"), r.toString());
        assertTrue(r.out().contains("gateway: port " + port + " is free"), r.toString());
        assertTrue(r.out().contains("! engine is not running"), r.toString());
        assertEveryProblemHasAFix(r);
    }

    @Test
    void doctorFailsOnAMissingProgramAndWarnsOnAForeignListenerEachWithAFix() throws Exception {
        try (ServerSocket foreign = new ServerSocket()) {
            foreign.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String catalog = ServicesJson.catalog()
                    .add(ServicesJson.fixtureDaemon("gateway", foreign.getLocalPort(), root.pidFile("gateway")))
                    .text()
                    .replace("\"name\" : \"gateway\"", "\"name\" : \"ghost\"")
                    .replaceFirst("\"command\" : \\[ \"[^\"]+\"", "\"command\" : [ \"no-such-program-7f3a\"");
            root.writeCatalog(catalog);

            Launcher.Result r = cli.expect(1, "doctor");
            assertTrue(r.out().contains("✖ ghost: no-such-program-7f3a not found on PATH"), r.toString());
            assertTrue(r.out().contains("! ghost: port " + foreign.getLocalPort() + " is in use by pid "
                    + ProcessHandle.current().pid()), "names the process holding the port: " + r);
            assertTrue(r.out().contains("1 problem(s)"), r.toString());
            assertEveryProblemHasAFix(r);
        }
    }

    @Test
    void doctorReportsABadCatalogWithItsLineAndChecksNoServicesItDoesNotHave() {
        String good = ServicesJson.catalog()
                .add(ServicesJson.fixtureDaemon("gateway", port, root.pidFile("gateway"))).text();
        String bad = good.replace("\"port\" : " + port + ",", "\"port\" : 70000,");
        root.writeCatalog(bad);
        int line = lineOf(bad, "\"port\" : 70000");

        Launcher.Result r = cli.expect(1, "doctor");
        assertTrue(r.out().contains("✖ services.json:" + line + ":"), "located by line: " + r);
        assertTrue(r.out().contains("/services/0/port: must be between 1 and 65535, got 70000"), r.toString());
        assertEveryProblemHasAFix(r);
        // With the file unusable there is no catalog to check services against; the built-in defaults
        // (gateway, cloud, hub running `nexus`) are not what the user runs and must not be reported.
        assertFalse(r.out().contains("cloud:") || r.out().contains("nexus not found"),
                "doctor checked services that are not in the user's catalog: " + r);
    }

    @Test
    void logsOfAnUnknownServiceNamesTheKnownOnes() {
        Launcher.Result r = cli.expect(2, "logs", "nosuch");
        assertTrue(r.err().contains("unknown service \"nosuch\" (known: gateway, hub, engine)"), r.toString());
    }

    private static void assertEveryProblemHasAFix(Launcher.Result r) {
        List<String> lines = r.outLines();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("✖") || lines.get(i).startsWith("!")) {
                assertTrue(i + 1 < lines.size() && lines.get(i + 1).startsWith("    fix: "),
                        "a fix follows \"" + lines.get(i) + "\": " + r);
            }
        }
    }

    private static String line(Launcher.Result r, String service) {
        return r.outLines().stream().filter(l -> l.matches("^. " + service + " .*")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + service + ": " + r));
    }

    static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError("\"" + needle + "\" is not in\n" + text);
    }
}

package dev.nexus.services.catalog;

import static dev.nexus.services.catalog.CatalogAssertions.SOURCE;
import static dev.nexus.services.catalog.CatalogAssertions.assertValid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogCodecTest {
    /** The example of the catalog format, every field given. */
    static final String FULL_EXAMPLE = """
            {
              "version": 1,
              "services": [
                {
                  "name": "gateway",
                  "displayName": "Gateway",
                  "kind": "daemon",
                  "enabled": true,
                  "command": ["nexus", "gateway-daemon"],
                  "workingDir": "~/nexus/home",
                  "env": {"KEY": "value", "_OTHER": "x y"},
                  "manager": "embedded",
                  "dependsOn": ["cloud"],
                  "port": 18789,
                  "probes": {
                    "startup": {"type": "websocket", "url": "ws://127.0.0.1:18789/", "period": "1s", "timeout": "1s", "failureThreshold": 30},
                    "liveness": {"type": "http", "url": "http://127.0.0.1:18789/healthz", "initialDelay": "5s", "period": "15s"},
                    "readiness": {"type": "tcp", "host": "localhost", "port": 18789, "successThreshold": 2}
                  },
                  "restart": {"policy": "always", "initialDelay": "2s", "multiplier": 1.5, "maxDelay": "90s", "jitter": 0.1,
                              "resetAfter": "2m", "crashLoop": {"runs": 4, "shorterThan": "20s", "within": "10m", "maxDelay": "600s"}},
                  "stopTimeout": "15s",
                  "log": {"file": "/var/tmp/gw.log", "errFile": "gw.err", "maxSize": "512KB", "keep": 3},
                  "children": [
                    {"name": "bridge", "displayName": "Bridge", "probe": {"type": "tcp", "port": 18790}},
                    {"name": "browser-control", "probe": {"type": "tcp", "port": 18791, "period": "30s"}}
                  ]
                },
                {
                  "name": "cloud",
                  "command": ["nexus", "cloud"],
                  "probes": {"readiness": {"type": "exec", "command": ["nexus", "cloud", "status", "--json"]}}
                },
                {
                  "name": "hub",
                  "kind": "job",
                  "command": ["nexus", "skills", "update", "--check"],
                  "schedule": {"every": "6h", "timeout": "2m"}
                },
                {
                  "name": "collab",
                  "kind": "connection",
                  "url": "wss://collab.example/ws"
                }
              ]
            }
            """;

    @TempDir
    Path root;
    NexusPaths paths;
    CatalogCodec codec;

    @BeforeEach
    void setUp() {
        paths = new NexusPaths(root);
        codec = new CatalogCodec(paths);
    }

    @Test
    void defaultsRoundTripToAnEqualCatalog() {
        Catalog defaults = NexusDefaults.catalog(paths);
        String text = codec.write(defaults, null);
        ParseOutcome outcome = codec.parse(text, SOURCE);
        assertEquals(defaults, assertValid(outcome));
        assertEquals(List.of(), outcome.warnings());
        // Writing what was read changes nothing.
        assertEquals(text, codec.write(outcome.catalog(), outcome.tree()));
    }

    @Test
    void textIsTwoSpaceIndentedWithATrailingNewline() {
        String text = codec.write(NexusDefaults.catalog(paths), null);
        assertTrue(text.startsWith("{\n  \"version\": 1,\n  \"services\": [\n    {\n      \"name\": \"gateway\",\n"), text);
        assertTrue(text.endsWith("\n  ]\n}\n"), text);
        assertTrue(text.contains("\n      \"command\": [\"nexus\", \"gateway-daemon\"],\n"), text);
        assertFalse(text.contains("\t") || text.contains(" : "), text);
    }

    @Test
    void defaultsFileShowsTheImportantKnobsAndLeavesOutNoise() throws Exception {
        JsonNode tree = Json.MAPPER.readTree(codec.write(NexusDefaults.catalog(paths), null));
        JsonNode gateway = tree.at("/services/0");
        assertEquals("gateway", gateway.get("name").asText());
        assertEquals(18789, gateway.get("port").asInt());
        assertEquals("auto", gateway.get("manager").asText());
        assertEquals("1s", gateway.at("/probes/startup/period").asText());
        assertEquals(30, gateway.at("/probes/startup/failureThreshold").asInt());
        assertEquals("10s", gateway.at("/probes/liveness/period").asText());
        assertEquals("on-failure", gateway.at("/restart/policy").asText());
        assertEquals("1m", gateway.at("/restart/maxDelay").asText());
        assertEquals(5, gateway.at("/restart/crashLoop/runs").asInt());
        assertEquals("10s", gateway.get("stopTimeout").asText());
        assertEquals("10MB", gateway.at("/log/maxSize").asText());
        // Paths that follow NEXUS_ROOT are left out so that moving the root does not strand them.
        assertFalse(gateway.has("workingDir"));
        assertFalse(gateway.get("log").has("file"));
        assertFalse(gateway.has("env") || gateway.has("dependsOn"));
        assertEquals("{\"type\":\"tcp\",\"port\":18790}", gateway.at("/children/0/probe").toString());

        JsonNode hub = tree.at("/services/2");
        assertEquals("{\"every\":\"6h\",\"timeout\":\"2m\"}", hub.get("schedule").toString());
        assertFalse(hub.has("restart") || hub.has("log") || hub.has("probes"));

        JsonNode collab = tree.at("/services/3");
        assertFalse(collab.get("enabled").asBoolean());
        assertTrue(collab.has("url") && collab.get("url").isNull(), "url shown as null until set");
        assertFalse(collab.has("manager") || collab.has("command"));
    }

    @Test
    void fullExampleParsesWithEveryField() {
        ParseOutcome outcome = codec.parse(FULL_EXAMPLE, SOURCE);
        Catalog catalog = assertValid(outcome);
        assertEquals(List.of(), outcome.warnings());
        ServiceSpec gw = catalog.find("gateway").orElseThrow();
        assertEquals(Path.of(System.getProperty("user.home"), "nexus", "home").toAbsolutePath().normalize(), gw.workingDir());
        assertEquals(Map.of("KEY", "value", "_OTHER", "x y"), gw.env());
        assertEquals(ManagerKind.EMBEDDED, gw.manager());
        assertEquals(List.of("cloud"), gw.dependsOn());
        assertEquals(new ProbeSpec(new ProbeCheck.WebSocket(URI.create("ws://127.0.0.1:18789/")), Duration.ZERO,
                Duration.ofSeconds(1), Duration.ofSeconds(1), 30, 1), gw.probes().startup());
        // Timing left out takes the role's default.
        assertEquals(new ProbeSpec(new ProbeCheck.Http(URI.create("http://127.0.0.1:18789/healthz")), Duration.ofSeconds(5),
                Duration.ofSeconds(15), Duration.ofSeconds(2), 3, 1), gw.probes().liveness());
        assertEquals(new ProbeSpec(new ProbeCheck.Tcp("localhost", 18789), Duration.ZERO, Duration.ofSeconds(5),
                Duration.ofSeconds(2), 2, 2), gw.probes().readiness());
        assertEquals(new RestartSpec(RestartSpec.Mode.ALWAYS, Duration.ofSeconds(2), 1.5, Duration.ofSeconds(90), 0.1,
                Duration.ofMinutes(2), 4, Duration.ofSeconds(20), Duration.ofMinutes(10), Duration.ofSeconds(600)),
                gw.restart());
        assertEquals(Duration.ofSeconds(15), gw.stopTimeout());
        assertEquals(new LogSpec(Path.of("/var/tmp/gw.log"), paths.home().resolve("gw.err"), 512 * 1024, 3), gw.log());
        assertEquals(List.of(
                new ChildSpec("bridge", "Bridge", ProbeSpec.readiness(new ProbeCheck.Tcp("127.0.0.1", 18790))),
                new ChildSpec("browser-control", "Browser control", new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", 18791),
                        Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(2), 2, 1))), gw.children());

        ServiceSpec cloud = catalog.find("cloud").orElseThrow();
        assertEquals(ServiceKind.DAEMON, cloud.kind());
        assertEquals("Cloud", cloud.displayName());
        assertEquals(paths.home(), cloud.workingDir());
        assertEquals(new LogSpec(paths.stdoutLog("cloud"), paths.stderrLog("cloud"), LogSpec.DEFAULT_MAX_BYTES,
                LogSpec.DEFAULT_KEEP), cloud.log());
        assertEquals(RestartSpec.DEFAULT, cloud.restart());
        assertEquals(new ProbeCheck.Exec(List.of("nexus", "cloud", "status", "--json")), cloud.probes().readiness().check());

        assertEquals(new JobSpec(Duration.ofHours(6), Duration.ofMinutes(2)), catalog.find("hub").orElseThrow().job());
        ServiceSpec collab = catalog.find("collab").orElseThrow();
        assertEquals(URI.create("wss://collab.example/ws"), collab.url());
        assertTrue(collab.enabled());
        assertEquals(List.of(), collab.command());
    }

    @Test
    void everyFeatureRoundTripsFreshAndMerged() {
        Catalog catalog = codec.parse(FULL_EXAMPLE, SOURCE).catalog();
        String fresh = codec.write(catalog, null);
        ParseOutcome reread = codec.parse(fresh, SOURCE);
        assertEquals(catalog, assertValid(reread));
        assertEquals(List.of(), reread.warnings());
        ParseOutcome original = codec.parse(FULL_EXAMPLE, SOURCE);
        assertEquals(catalog, assertValid(codec.parse(codec.write(catalog, original.tree()), SOURCE)));
    }

    @Test
    void unchangedValuesKeepTheirTextSoAToggleChangesOneLine() {
        ParseOutcome outcome = codec.parse(FULL_EXAMPLE, SOURCE);
        Catalog catalog = outcome.catalog();
        String same = codec.write(catalog, outcome.tree());
        assertTrue(same.contains("\"maxDelay\": \"90s\""), "90s is not rewritten as 1m30s");
        assertTrue(same.contains("\"workingDir\": \"~/nexus/home\""));
        assertTrue(same.contains("\"errFile\": \"gw.err\""));

        List<ServiceSpec> services = new ArrayList<>(catalog.services());
        services.set(0, services.get(0).withEnabled(false));
        String toggled = codec.write(new Catalog(1, services), outcome.tree());
        List<String> before = same.lines().toList();
        List<String> after = toggled.lines().toList();
        assertEquals(before.size(), after.size());
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).equals(after.get(i))) {
                changed.add(before.get(i).trim() + " -> " + after.get(i).trim());
            }
        }
        assertEquals(List.of("\"enabled\": true, -> \"enabled\": false,"), changed);
    }

    @Test
    void unknownFieldsAreWarnedAndKeptWhenWriting() throws Exception {
        String text = """
                {
                  "version": 1,
                  "services": [
                    {
                      "name": "gateway",
                      "command": ["nexus", "gateway-daemon"],
                      "colour": "blue",
                      "probes": {
                        "liveness": {"type": "tcp", "port": 18789, "note": "keep me"}
                      },
                      "children": [
                        {"name": "bridge", "probe": {"type": "tcp", "port": 18790}, "icon": "bridge.png"},
                        {"name": "canvas", "probe": {"type": "tcp", "port": 18793}}
                      ],
                      "restart": {"crashLoop": {"runs": 3, "why": "flaky"}}
                    }
                  ],
                  "$schema": "https://example/services.schema.json"
                }
                """;
        ParseOutcome outcome = codec.parse(text, SOURCE);
        Catalog catalog = assertValid(outcome);
        assertEquals(5, outcome.warnings().size(), () -> outcome.warnings().toString());

        ServiceSpec gw = catalog.services().get(0);
        ProbeSpec liveness = gw.probes().liveness();
        ServiceSpec changed = new ServiceSpec(gw.name(), gw.displayName(), gw.kind(), false, gw.command(),
                gw.workingDir(), gw.env(), gw.manager(), gw.dependsOn(), gw.port(),
                new Probes(null, new ProbeSpec(liveness.check(), liveness.initialDelay(), Duration.ofSeconds(20),
                        liveness.timeout(), liveness.failureThreshold(), liveness.successThreshold()), null),
                new RestartSpec(RestartSpec.Mode.ALWAYS, gw.restart().initialDelay(), gw.restart().multiplier(),
                        gw.restart().maxDelay(), gw.restart().jitter(), gw.restart().resetAfter(), 7,
                        gw.restart().shortRun(), gw.restart().crashLoopWindow(), gw.restart().crashLoopMaxDelay()),
                gw.stopTimeout(), gw.log(), List.of(gw.children().get(1), gw.children().get(0)), gw.job(), gw.url());
        Catalog edited = new Catalog(1, List.of(changed));
        String written = codec.write(edited, outcome.tree());

        JsonNode tree = Json.MAPPER.readTree(written);
        assertEquals("blue", tree.at("/services/0/colour").asText());
        assertEquals("keep me", tree.at("/services/0/probes/liveness/note").asText());
        assertEquals("20s", tree.at("/services/0/probes/liveness/period").asText());
        assertEquals("canvas", tree.at("/services/0/children/0/name").asText());
        assertEquals("bridge.png", tree.at("/services/0/children/1/icon").asText(), "matched by name, not position");
        assertEquals("flaky", tree.at("/services/0/restart/crashLoop/why").asText());
        assertEquals(7, tree.at("/services/0/restart/crashLoop/runs").asInt());
        assertEquals("always", tree.at("/services/0/restart/policy").asText());
        assertEquals("https://example/services.schema.json", tree.get("$schema").asText());

        ParseOutcome reread = codec.parse(written, SOURCE);
        assertEquals(edited, assertValid(reread));
        assertEquals(5, reread.warnings().size(), () -> reread.warnings().toString());
    }

    @Test
    void changingAProbeTypeDropsTheOldTypesFields() throws Exception {
        String text = """
                {"version": 1, "services": [
                  {"name": "web", "command": ["web"], "probes": {"liveness": {"type": "tcp", "host": "::1", "port": 8080, "period": "3s"}}}
                ]}""";
        ParseOutcome outcome = codec.parse(text, SOURCE);
        ServiceSpec web = outcome.catalog().services().get(0);
        ProbeSpec old = web.probes().liveness();
        ProbeSpec http = new ProbeSpec(new ProbeCheck.Http(URI.create("http://127.0.0.1:8080/healthz")), old.initialDelay(),
                old.period(), old.timeout(), old.failureThreshold(), old.successThreshold());
        Catalog edited = new Catalog(1, List.of(new ServiceSpec(web.name(), web.displayName(), web.kind(), web.enabled(),
                web.command(), web.workingDir(), web.env(), web.manager(), web.dependsOn(), web.port(),
                new Probes(null, http, null), web.restart(), web.stopTimeout(), web.log(), web.children(), web.job(),
                web.url())));
        String written = codec.write(edited, outcome.tree());
        assertEquals("{\"type\":\"http\",\"url\":\"http://127.0.0.1:8080/healthz\",\"period\":\"3s\"}",
                Json.MAPPER.readTree(written).at("/services/0/probes/liveness").toString());
        ParseOutcome reread = codec.parse(written, SOURCE);
        assertEquals(edited, assertValid(reread));
        assertEquals(List.of(), reread.warnings());
    }

    @Test
    void addedServicesAreWrittenFreshAndRemovedOnesDisappear() throws Exception {
        String text = """
                {"version": 1, "services": [
                  {"name": "old", "command": ["old"], "x-old": 1},
                  {"name": "kept", "command": ["kept"]}
                ]}""";
        ParseOutcome outcome = codec.parse(text, SOURCE);
        ServiceSpec kept = outcome.catalog().find("kept").orElseThrow();
        ServiceSpec added = NexusDefaults.catalog(paths).find("gateway").orElseThrow();
        String written = codec.write(new Catalog(1, List.of(added, kept)), outcome.tree());
        JsonNode tree = Json.MAPPER.readTree(written);
        assertEquals(2, tree.get("services").size());
        assertFalse(written.contains("\"old\"") || written.contains("x-old"), written);
        assertEquals("gateway", tree.at("/services/0/name").asText());
        assertEquals("on-failure", tree.at("/services/0/restart/policy").asText(), "a new service shows its knobs");
        assertEquals("{\"name\":\"kept\",\"command\":[\"kept\"]}", tree.at("/services/1").toString(),
                "an unchanged service keeps its compact form");
    }

    @Test
    void missingPartsOfAHandBuiltSpecAreWrittenAsDefaults() {
        ServiceSpec bare = new ServiceSpec("bare", null, ServiceKind.DAEMON, true, List.of("bare"), null, Map.of(), null,
                List.of(), null, null, null, null, null, List.of(), null, null);
        Catalog reread = assertValid(codec.parse(codec.write(new Catalog(1, List.of(bare)), null), SOURCE));
        ServiceSpec spec = reread.services().get(0);
        assertEquals("Bare", spec.displayName());
        assertEquals(paths.home(), spec.workingDir());
        assertEquals(ManagerKind.AUTO, spec.manager());
        assertEquals(Probes.NONE, spec.probes());
        assertEquals(RestartSpec.DEFAULT, spec.restart());
        assertEquals(ServiceSpec.DEFAULT_STOP_TIMEOUT, spec.stopTimeout());
        assertEquals(new LogSpec(paths.stdoutLog("bare"), paths.stderrLog("bare"), LogSpec.DEFAULT_MAX_BYTES,
                LogSpec.DEFAULT_KEEP), spec.log());
    }

    @Test
    void pathsUnderTheUsersHomeAreWrittenWithTilde() throws Exception {
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
        ServiceSpec base = NexusDefaults.catalog(paths).find("cloud").orElseThrow();
        ServiceSpec moved = new ServiceSpec(base.name(), base.displayName(), base.kind(), base.enabled(), base.command(),
                home.resolve("projects/cloud"), base.env(), base.manager(), base.dependsOn(), base.port(), base.probes(),
                base.restart(), base.stopTimeout(),
                new LogSpec(root.resolve("elsewhere/cloud.log"), base.log().stderr(), 1536, 2),
                base.children(), base.job(), base.url());
        Catalog catalog = new Catalog(1, List.of(moved));
        String text = codec.write(catalog, null);
        JsonNode tree = Json.MAPPER.readTree(text);
        assertEquals("~/projects/cloud", tree.at("/services/0/workingDir").asText());
        assertEquals(root.resolve("elsewhere/cloud.log").toString(), tree.at("/services/0/log/file").asText());
        assertTrue(tree.at("/services/0/log/errFile").isMissingNode());
        assertEquals("1536B", tree.at("/services/0/log/maxSize").asText());
        assertEquals(catalog, assertValid(codec.parse(text, SOURCE)));
    }

    @Test
    void aCatalogThatDoesNotValidateIsStillWrittenButParsesWithErrors() {
        ServiceSpec bad = new ServiceSpec("bad", "Bad", ServiceKind.DAEMON, true, List.of("x"), null, Map.of(), null,
                List.of("ghost"), 70000, null, null, null, null, List.of(), null, null);
        ParseOutcome outcome = codec.parse(codec.write(new Catalog(1, List.of(bad)), null), SOURCE);
        assertNull(outcome.catalog());
        assertEquals(List.of("/services/0/dependsOn/0", "/services/0/port"),
                outcome.errors().stream().map(CatalogProblem::pointer).sorted().toList());
    }

    @Test
    void byteSizes() {
        assertEquals(10L * 1024 * 1024, ByteSizes.parse("10MB"));
        assertEquals(512 * 1024, ByteSizes.parse("512 kb"));
        assertEquals(3L * 1024 * 1024 * 1024, ByteSizes.parse("3GiB"));
        assertEquals(700, ByteSizes.parse("700"));
        assertEquals("10MB", ByteSizes.format(10L * 1024 * 1024));
        assertEquals("1536KB", ByteSizes.format(1536 * 1024));
        assertEquals("1000B", ByteSizes.format(1000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("ten MB"));
        assertTrue(e.getMessage().contains("got \"ten MB\""));
        assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("999999999999999GB"));
    }

    @Test
    void problemWithoutAPlaceReadsCleanly() {
        assertEquals("services.json: cannot read the file: permission denied",
                CatalogProblem.error("services.json", 0, 0, "", "cannot read the file: permission denied").toString());
    }
}

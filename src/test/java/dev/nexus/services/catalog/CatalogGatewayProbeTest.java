package dev.nexus.services.catalog;

import static dev.nexus.services.catalog.CatalogAssertions.SOURCE;
import static dev.nexus.services.catalog.CatalogAssertions.assertError;
import static dev.nexus.services.catalog.CatalogAssertions.assertValid;
import static dev.nexus.services.catalog.CatalogAssertions.assertWarning;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway probe type in services.json: reading, every rule with its pointer and line, writing. */
class CatalogGatewayProbeTest {
    private static final URI LOCAL = URI.create("ws://127.0.0.1:18789/");

    @TempDir
    Path root;
    CatalogCodec codec;

    @BeforeEach
    void setUp() {
        codec = CatalogAssertions.codec(root);
    }

    private ParseOutcome parse(String text) {
        return codec.parse(text, SOURCE);
    }

    private static String daemonWith(String probes) {
        return "{\n  \"version\": 1,\n  \"services\": [\n    {\n      \"name\": \"gateway\",\n"
                + "      \"command\": [\"nexus\", \"gateway-daemon\"],\n      \"probes\": {\n"
                + probes.indent(8).stripTrailing() + "\n      }\n    }\n  ]\n}\n";
    }

    @Test
    void aGatewayProbeReadsItsUrlAndTakesTheRolesTiming() {
        Catalog catalog = assertValid(parse(daemonWith("""
                "liveness": {"type": "gateway", "url": "ws://127.0.0.1:18789/"},
                "readiness": {"type": "gateway", "url": "wss://gw.example/", "period": "7s"}""")));
        Probes probes = catalog.services().get(0).probes();
        assertEquals(ProbeSpec.liveness(new ProbeCheck.Gateway(LOCAL)), probes.liveness());
        ProbeSpec readiness = probes.readiness();
        assertEquals(new ProbeCheck.Gateway(URI.create("wss://gw.example/"), null, false), readiness.check());
        assertEquals(Duration.ofSeconds(7), readiness.period());
        assertEquals(Duration.ofSeconds(2), readiness.timeout());
        assertEquals("gateway", readiness.check().type());
    }

    @Test
    void tokenReferencesAndTheDeviceIdentityAreRead() {
        Catalog catalog = assertValid(parse(daemonWith("""
                "liveness": {"type": "gateway", "url": "ws://127.0.0.1:18789/", "token": "credential:gateway/work"},
                "readiness": {"type": "gateway", "url": "ws://127.0.0.1:18789/", "token": "op://Private/Gateway/token",
                              "device": true}""")));
        Probes probes = catalog.services().get(0).probes();
        assertEquals(new ProbeCheck.Gateway(LOCAL, "credential:gateway/work", false), probes.liveness().check());
        assertEquals(new ProbeCheck.Gateway(LOCAL, "op://Private/Gateway/token", true), probes.readiness().check());
    }

    @Test
    void theUrlIsRequiredAndMustBeAWebSocketUrl() {
        String text = daemonWith("""
                "startup": {"type": "gateway"},
                "liveness": {"type": "gateway", "url": "http://127.0.0.1:18789/"}""");
        ParseOutcome outcome = parse(text);
        assertError(outcome, text, "/services/0/probes/startup/url", "\"startup\"",
                "url is required, e.g. \"url\": \"ws://127.0.0.1:18789/\"");
        assertError(outcome, text, "/services/0/probes/liveness/url", "\"url\": \"http",
                "must be a ws:// or wss:// URL, got \"http://127.0.0.1:18789/\"");
    }

    @Test
    void aLiteralTokenIsRefusedWithoutRepeatingIt() {
        String secret = "gw-4f1c9e0b7a2d";
        String text = daemonWith("\"liveness\": {\"type\": \"gateway\", \"url\": \"ws://127.0.0.1:18789/\", \"token\": \""
                + secret + "\"}");
        ParseOutcome outcome = parse(text);
        CatalogProblem p = assertError(outcome, text, "/services/0/probes/liveness/token", "\"token\"",
                "token must say where the gateway token is kept, such as \"credential:gateway/token\"");
        assertTrue(p.message().contains("nexus-services credential set gateway/token"), p.message());
        assertFalse(outcome.problems().toString().contains(secret), "the value may be a real secret");
    }

    @Test
    void malformedReferencesAreNamed() {
        String text = daemonWith("""
                "startup": {"type": "gateway", "url": "ws://127.0.0.1:18789/", "token": "credential:Gateway Token"},
                "liveness": {"type": "gateway", "url": "ws://127.0.0.1:18789/", "token": "op://Private/"},
                "readiness": {"type": "gateway", "url": "ws://127.0.0.1:18789/", "token": " ", "device": "yes"}""");
        ParseOutcome outcome = parse(text);
        assertError(outcome, text, "/services/0/probes/startup/token", "\"token\": \"credential:Gateway",
                "invalid credential name \"Gateway Token\"");
        assertError(outcome, text, "/services/0/probes/liveness/token", "\"token\": \"op://Private/\"",
                "invalid 1Password reference \"op://Private/\": expected op://vault/item/field");
        assertError(outcome, text, "/services/0/probes/readiness/token", "\"token\": \" \"",
                "must not be empty; leave \"token\" out to use the credential gateway/token");
        assertError(outcome, text, "/services/0/probes/readiness/device", "\"device\": \"yes\"",
                "device must be true or false, got \"yes\"");
    }

    @Test
    void gatewayFieldsOnAnotherProbeTypeAreWarnedAndIgnored() {
        String text = daemonWith("\"liveness\": {\"type\": \"tcp\", \"port\": 18789, \"token\": \"credential:gateway/token\"}");
        ParseOutcome outcome = parse(text);
        assertValid(outcome);
        assertWarning(outcome, text, "/services/0/probes/liveness/token", "\"token\"",
                "token does not apply to a tcp probe; ignored");
    }

    @Test
    void inAConnectionTheUrlDefaultsToTheConnectionsOwn() {
        String text = """
                {
                  "version": 1,
                  "services": [
                    {
                      "name": "gateway",
                      "kind": "connection",
                      "url": "wss://gw.example.net/",
                      "probes": {"liveness": {"type": "gateway"}, "readiness": {"type": "gateway", "device": true}}
                    },
                    {
                      "name": "mirror",
                      "kind": "connection",
                      "url": "https://gw.example.net/",
                      "probes": {"liveness": {"type": "gateway"}}
                    }
                  ]
                }
                """;
        ParseOutcome outcome = parse(text);
        assertError(outcome, text, "/services/1/probes/liveness/url", "\"liveness\": {\"type\": \"gateway\"}}",
                "a gateway probe needs a ws:// or wss:// url, and this connection's url is https://");
        assertEquals(1, outcome.errors().size(), outcome.errors().toString());

        String good = text.substring(0, text.indexOf("    },\n    {\n      \"name\": \"mirror\"")) + "    }\n  ]\n}\n";
        ServiceSpec remote = assertValid(parse(good)).services().get(0);
        URI url = URI.create("wss://gw.example.net/");
        assertEquals(new ProbeCheck.Gateway(url, null, false), remote.probes().liveness().check());
        assertEquals(new ProbeCheck.Gateway(url, null, true), remote.probes().readiness().check());
    }

    @Test
    void writtenFreshItShowsTokenAndDeviceOnlyWhenSetAndRoundTrips() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        ServiceSpec gw = NexusDefaults.catalog(paths).services().get(0);
        Probes probes = new Probes(gw.probes().startup(),
                ProbeSpec.liveness(new ProbeCheck.Gateway(LOCAL)),
                ProbeSpec.readiness(new ProbeCheck.Gateway(LOCAL, "credential:gateway/work", true)));
        Catalog catalog = new Catalog(1, List.of(new ServiceSpec(gw.name(), gw.displayName(), gw.kind(), true,
                gw.command(), gw.workingDir(), gw.env(), gw.manager(), gw.dependsOn(), gw.port(), probes, gw.restart(),
                gw.stopTimeout(), gw.log(), gw.children(), gw.job(), gw.url())));
        String text = codec.write(catalog, null);
        JsonNode tree = Json.MAPPER.readTree(text);
        assertEquals("{\"type\":\"gateway\",\"url\":\"ws://127.0.0.1:18789/\",\"period\":\"10s\",\"timeout\":\"2s\","
                + "\"failureThreshold\":3}", tree.at("/services/0/probes/liveness").toString());
        assertEquals("credential:gateway/work", tree.at("/services/0/probes/readiness/token").asText());
        assertTrue(tree.at("/services/0/probes/readiness/device").asBoolean());
        ParseOutcome reread = parse(text);
        assertEquals(catalog, assertValid(reread));
        assertEquals(List.of(), reread.warnings());
    }

    @Test
    void aConnectionsOmittedUrlStaysOmittedWhenTheCatalogIsWrittenBack() throws Exception {
        String text = """
                {
                  "version": 1,
                  "services": [
                    {
                      "name": "gateway",
                      "kind": "connection",
                      "url": "wss://gw.example.net/",
                      "probes": {
                        "liveness": {"type": "gateway", "token": "credential:gateway/remote"}
                      }
                    }
                  ]
                }
                """;
        ParseOutcome outcome = parse(text);
        Catalog catalog = assertValid(outcome);
        List<ServiceSpec> services = new ArrayList<>(catalog.services());
        services.set(0, services.get(0).withEnabled(false));
        String toggled = codec.write(new Catalog(1, services), outcome.tree());
        com.fasterxml.jackson.databind.node.ObjectNode after =
                (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(toggled).at("/services/0");
        assertEquals("{\"type\":\"gateway\",\"token\":\"credential:gateway/remote\"}",
                after.at("/probes/liveness").toString(), "the probe did not gain a url");
        assertFalse(after.remove("enabled").asBoolean());
        assertEquals(outcome.tree().at("/services/0"), after, "nothing else changed");
        assertEquals(catalog.services().get(0).probes(), assertValid(parse(toggled)).services().get(0).probes());
    }

    @Test
    void theNexusDefaultsUseTheGatewayProbeInSteadyStateAndAWebSocketForStartup() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        JsonNode tree = Json.MAPPER.readTree(codec.write(NexusDefaults.catalog(paths), null));
        assertEquals("websocket", tree.at("/services/0/probes/startup/type").asText());
        assertEquals("gateway", tree.at("/services/0/probes/liveness/type").asText());
        assertEquals("gateway", tree.at("/services/0/probes/readiness/type").asText());
        assertFalse(tree.at("/services/0/probes/liveness").has("token"), "the default token needs no mention");
    }

    @Test
    void remoteModeIsAConnectionWithTheSameSessionAndNoProcess() {
        NexusPaths paths = new NexusPaths(root);
        URI url = URI.create("wss://gw.example.net/");
        ServiceSpec remote = NexusDefaults.remoteGateway(paths, url);
        assertEquals(ServiceKind.CONNECTION, remote.kind());
        assertEquals(url, remote.url());
        assertTrue(remote.command().isEmpty());
        assertNull(remote.port());
        assertEquals(ProbeSpec.liveness(new ProbeCheck.Gateway(url)), remote.probes().liveness());
        assertEquals(ProbeSpec.readiness(new ProbeCheck.Gateway(url)), remote.probes().readiness());
        Catalog catalog = new Catalog(1, List.of(remote));
        assertEquals(catalog, assertValid(parse(codec.write(catalog, null))));
        assertThrows(IllegalArgumentException.class, () -> NexusDefaults.remoteGateway(paths, URI.create("https://gw/")));
    }
}

package dev.nexus.services.catalog;

import static dev.nexus.services.catalog.CatalogAssertions.SOURCE;
import static dev.nexus.services.catalog.CatalogAssertions.assertError;
import static dev.nexus.services.catalog.CatalogAssertions.assertErrorAt;
import static dev.nexus.services.catalog.CatalogAssertions.assertValid;
import static dev.nexus.services.catalog.CatalogAssertions.assertWarning;
import static dev.nexus.services.catalog.CatalogAssertions.lineOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every validation rule, each asserted with its JSON pointer and the line and column it points at. */
class CatalogValidationTest {
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

    /** A catalog of one service whose members are {@code members} (one per line, without the braces). */
    private static String oneService(String members) {
        return "{\n  \"version\": 1,\n  \"services\": [\n    {\n" + members.indent(6).stripTrailing()
                + "\n    }\n  ]\n}\n";
    }

    @Nested
    class Document {
        @Test
        void versionMustBeOne() {
            String text = """
                    {
                      "version": 0,
                      "services": []
                    }
                    """;
            CatalogProblem p = assertError(parse(text), text, "/version", "\"version\"", "must be 1, got 0");
            assertEquals("services.json:2:3: /version: must be 1, got 0", p.toString());
        }

        @Test
        void newerVersionSaysSoAndStopsThere() {
            String text = """
                    {
                      "version": 2,
                      "services": [{"name": "Not Checked"}],
                      "newThing": {}
                    }
                    """;
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/version", "\"version\"", "written by a newer Nexus Services");
            assertEquals(1, outcome.errors().size(), () -> "nothing else is judged: " + outcome.errors());
            assertNull(outcome.catalog());
        }

        @Test
        void versionIsRequiredAndMustBeANumber() {
            String missing = "{\n  \"services\": []\n}\n";
            assertError(parse(missing), missing, "/version", "{", "version is required");
            String text = "{\n  \"version\": \"1\",\n  \"services\": []\n}\n";
            assertError(parse(text), text, "/version", "\"version\"", "version must be a number, got \"1\"");
        }

        @Test
        void servicesMustBeAnArrayOfObjects() {
            String text = "{\n  \"version\": 1,\n  \"services\": {\"gateway\": {}}\n}\n";
            assertError(parse(text), text, "/services", "\"services\"", "services must be an array, got an object");
            String missing = "{\n  \"version\": 1\n}\n";
            assertError(parse(missing), missing, "/services", "{", "services is required");
            String item = "{\n  \"version\": 1,\n  \"services\": [\n    \"gateway\"\n  ]\n}\n";
            assertError(parse(item), item, "/services/0", "\"gateway\"", "each service must be an object");
        }

        @Test
        void rootMustBeAnObject() {
            String text = "[1, 2]\n";
            assertError(parse(text), text, "", "[", "the catalog must be a JSON object");
        }

        @Test
        void emptyServicesListIsValid() {
            Catalog catalog = assertValid(parse("{\"version\": 1, \"services\": []}"));
            assertTrue(catalog.services().isEmpty());
        }
    }

    @Nested
    class Names {
        @Test
        void nameIsRequired() {
            String text = oneService("""
                    "displayName": "No name",
                    "command": ["x"]""");
            assertError(parse(text), text, "/services/0/name", "    {", "name is required");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Gateway", "1gateway", "gate_way", "", "a-very-long-service-name-that-goes-on-and-on"})
        void nameMustMatchThePattern(String name) {
            String text = oneService("\"name\": \"" + name + "\",\n\"command\": [\"x\"]");
            assertError(parse(text), text, "/services/0/name", "\"name\"",
                    "must be 1 to 40 lowercase letters, digits or \"-\", starting with a letter, got \"" + name + "\"");
        }

        @Test
        void fortyCharactersIsTheLongestName() {
            String name = "a" + "b".repeat(39);
            assertValid(parse(oneService("\"name\": \"" + name + "\",\n\"command\": [\"x\"]")));
        }

        @Test
        void duplicateNameIsReportedOnTheSecondNamingTheFirstsLine() {
            String text = """
                    {
                      "version": 1,
                      "services": [
                        {
                          "name": "gateway",
                          "command": ["a"]
                        },
                        {
                          "name": "cloud",
                          "command": ["b"]
                        },
                        {
                          "name": "gateway",
                          "command": ["c"]
                        }
                      ]
                    }
                    """;
            ParseOutcome outcome = parse(text);
            CatalogProblem p = assertErrorAt(outcome, "/services/2/name", 13, 7,
                    "duplicate service name \"gateway\"; it is already used at line 5");
            assertEquals("services.json:13:7: /services/2/name: duplicate service name \"gateway\"; "
                    + "it is already used at line 5", p.toString());
            assertEquals(1, outcome.errors().size());
        }
    }

    @Nested
    class Kinds {
        @Test
        void unknownKindManagerAndPolicy() {
            String text = oneService("""
                    "name": "gateway",
                    "kind": "deamon",
                    "manager": "upstart",
                    "command": ["nexus"],
                    "restart": {"policy": "sometimes"}""");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/kind", "\"kind\"",
                    "unknown kind \"deamon\" (expected daemon, job or connection)");
            assertError(outcome, text, "/services/0/manager", "\"manager\"", "unknown manager \"upstart\"");
            assertError(outcome, text, "/services/0/restart/policy", "\"policy\"",
                    "unknown restart policy \"sometimes\" (expected never, on-failure or always)");
        }

        @Test
        void kindDefaultsToDaemon() {
            Catalog catalog = assertValid(parse(oneService("\"name\": \"x\",\n\"command\": [\"x\"]")));
            assertEquals(ServiceKind.DAEMON, catalog.services().get(0).kind());
        }

        @Test
        void jobNeedsAScheduleWithAPositiveEvery() {
            String text = oneService("\"name\": \"hub\",\n\"kind\": \"job\",\n\"command\": [\"nexus\"]");
            assertError(parse(text), text, "/services/0/schedule", "    {", "a job needs a schedule");
            String zero = oneService("\"name\": \"hub\",\n\"kind\": \"job\",\n\"command\": [\"nexus\"],\n"
                    + "\"schedule\": {\"every\": \"0s\"}");
            assertError(parse(zero), zero, "/services/0/schedule/every", "\"every\"", "must be greater than 0, got \"0s\"");
            String noEvery = oneService("\"name\": \"hub\",\n\"kind\": \"job\",\n\"command\": [\"nexus\"],\n"
                    + "\"schedule\": {\"timeout\": \"1m\"}");
            assertError(parse(noEvery), noEvery, "/services/0/schedule/every", "\"schedule\"", "every is required");
        }

        @Test
        void onlyAJobHasASchedule() {
            String text = oneService("\"name\": \"gateway\",\n\"command\": [\"nexus\"],\n\"schedule\": {\"every\": \"1h\"}");
            assertError(parse(text), text, "/services/0/schedule", "\"schedule\"", "only a job has a schedule");
        }

        @Test
        void enabledConnectionNeedsAUrl() {
            String text = oneService("\"name\": \"collab\",\n\"kind\": \"connection\",\n\"enabled\": true");
            assertError(parse(text), text, "/services/0/url", "    {", "an enabled connection needs a url");
            String nullUrl = oneService("\"name\": \"collab\",\n\"kind\": \"connection\",\n\"url\": null");
            assertError(parse(nullUrl), nullUrl, "/services/0/url", "\"url\"", "an enabled connection needs a url");
            assertValid(parse(oneService("\"name\": \"collab\",\n\"kind\": \"connection\",\n\"enabled\": false")));
        }

        @Test
        void connectionUrlMustBeAWebUrl() {
            String text = oneService("\"name\": \"collab\",\n\"kind\": \"connection\",\n\"url\": \"ftp://collab.example/\"");
            assertError(parse(text), text, "/services/0/url", "\"url\"",
                    "must be a ws://, wss://, http:// or https:// URL, got \"ftp://collab.example/\"");
            Catalog ok = assertValid(parse(oneService(
                    "\"name\": \"collab\",\n\"kind\": \"connection\",\n\"url\": \"wss://collab.example/ws\"")));
            assertEquals("wss://collab.example/ws", ok.services().get(0).url().toString());
        }

        @Test
        void onlyAConnectionHasAUrlAndAConnectionHasNoCommand() {
            String text = oneService("\"name\": \"gateway\",\n\"command\": [\"nexus\"],\n\"url\": \"wss://x/\"");
            assertError(parse(text), text, "/services/0/url", "\"url\"", "only a connection has a url");
            String conn = oneService("\"name\": \"collab\",\n\"kind\": \"connection\",\n\"enabled\": false,\n"
                    + "\"command\": [\"nexus\"]");
            assertError(parse(conn), conn, "/services/0/command", "\"command\"", "a connection runs no local process");
        }

        @Test
        void enabledMustBeABoolean() {
            String text = oneService("\"name\": \"gateway\",\n\"command\": [\"nexus\"],\n\"enabled\": \"yes\"");
            assertError(parse(text), text, "/services/0/enabled", "\"enabled\"", "enabled must be true or false, got \"yes\"");
        }
    }

    @Nested
    class Commands {
        @Test
        void stringCommandGetsTheArrayHint() {
            String text = oneService("\"name\": \"cloud\",\n\"command\": \"nexus cloud\"");
            CatalogProblem p = assertError(parse(text), text, "/services/0/command", "\"command\"",
                    "command must be an array of strings, e.g. [\"nexus\", \"cloud\"]");
            assertEquals("command must be an array of strings, e.g. [\"nexus\", \"cloud\"]", p.message());
        }

        @Test
        void commandItemsMustBeNonEmptyStrings() {
            String text = oneService("\"name\": \"cloud\",\n\"command\": [\n  \"nexus\",\n  42,\n  \"\"\n]");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/command/1", "42", "must be a string, got 42");
            assertError(outcome, text, "/services/0/command/2", "\"\"", "must not be an empty string");
        }

        @Test
        void commandMustNotBeEmpty() {
            String text = oneService("\"name\": \"cloud\",\n\"command\": []");
            assertError(parse(text), text, "/services/0/command", "\"command\"", "command must not be empty");
        }

        @Test
        void commandIsRequiredForDaemonsAndJobs() {
            String daemon = oneService("\"name\": \"cloud\"");
            assertError(parse(daemon), daemon, "/services/0/command", "    {", "command is required for a daemon");
            String job = oneService("\"name\": \"hub\",\n\"kind\": \"job\",\n\"schedule\": {\"every\": \"6h\"}");
            assertError(parse(job), job, "/services/0/command", "    {", "command is required for a job");
        }
    }

    @Nested
    class Numbers {
        @Test
        void portRange() {
            String text = oneService("\"name\": \"gateway\",\n\"command\": [\"nexus\"],\n\"port\": 70000");
            CatalogProblem p = assertError(parse(text), text, "/services/0/port", "\"port\"",
                    "must be between 1 and 65535, got 70000");
            assertEquals("services.json:7:7: /services/0/port: must be between 1 and 65535, got 70000", p.toString());
            String zero = oneService("\"name\": \"gateway\",\n\"command\": [\"nexus\"],\n\"port\": 0");
            assertError(parse(zero), zero, "/services/0/port", "\"port\"", "must be between 1 and 65535, got 0");
        }

        @Test
        void wrongTypesSayWhatWasFound() {
            String text = oneService("\"name\": \"gateway\",\n\"displayName\": 5,\n\"command\": [\"nexus\"],\n"
                    + "\"port\": \"abc\"");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/port", "\"port\"", "port must be a number, got \"abc\"");
            assertError(outcome, text, "/services/0/displayName", "\"displayName\"", "displayName must be a string, got 5");
        }

        @Test
        void portMustBeWhole() {
            String text = oneService("\"name\": \"gateway\",\n\"command\": [\"nexus\"],\n\"port\": 80.5");
            assertError(parse(text), text, "/services/0/port", "\"port\"", "must be a whole number, got 80.5");
        }

        @Test
        void probePortsAreCheckedToo() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "children": [
                      {"name": "bridge", "probe": {"type": "tcp", "port": 99999}}
                    ]""");
            assertError(parse(text), text, "/services/0/children/0/probe/port", "\"port\"",
                    "must be between 1 and 65535, got 99999");
        }

        @Test
        void restartBounds() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "restart": {
                      "initialDelay": "5s",
                      "multiplier": 0.5,
                      "maxDelay": "2s",
                      "jitter": 1.5,
                      "crashLoop": {
                        "runs": 0,
                        "shorterThan": "0s",
                        "maxDelay": "1s"
                      }
                    }""");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/restart/multiplier", "\"multiplier\"", "must be at least 1, got 0.5");
            assertError(outcome, text, "/services/0/restart/jitter", "\"jitter\"", "must be between 0 and 1, got 1.5");
            assertError(outcome, text, "/services/0/restart/maxDelay", "\"maxDelay\": \"2s\"",
                    "must be at least initialDelay (5s), got \"2s\"");
            assertError(outcome, text, "/services/0/restart/crashLoop/runs", "\"runs\"", "must be at least 1, got 0");
            assertError(outcome, text, "/services/0/restart/crashLoop/shorterThan", "\"shorterThan\"",
                    "must be greater than 0");
            assertError(outcome, text, "/services/0/restart/crashLoop/maxDelay", "\"maxDelay\": \"1s\"",
                    "must be at least initialDelay (5s)");
            assertEquals(6, outcome.errors().size(), () -> outcome.errors().toString());
        }

        @Test
        void jitterMayNotBeNegative() {
            String text = oneService("\"name\": \"gateway\",\n\"command\": [\"nexus\"],\n\"restart\": {\"jitter\": -0.1}");
            assertError(parse(text), text, "/services/0/restart/jitter", "\"jitter\"", "must be between 0 and 1, got -0.1");
        }
    }

    @Nested
    class Durations {
        @Test
        void durationsMustParseAndPeriodsBePositive() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "stopTimeout": "soon",
                    "probes": {
                      "liveness": {
                        "type": "process",
                        "initialDelay": "-5s",
                        "period": "0s",
                        "timeout": 3,
                        "failureThreshold": 0,
                        "successThreshold": 0
                      }
                    }""");
            ParseOutcome outcome = parse(text);
            String probe = "/services/0/probes/liveness";
            assertError(outcome, text, "/services/0/stopTimeout", "\"stopTimeout\"",
                    "expected a duration such as \"250ms\", \"10s\", \"5m\" or \"1h30m\", got \"soon\"");
            assertError(outcome, text, probe + "/initialDelay", "\"initialDelay\"", "must not be negative, got \"-5s\"");
            assertError(outcome, text, probe + "/period", "\"period\"", "must be greater than 0, got \"0s\"");
            assertError(outcome, text, probe + "/timeout", "\"timeout\"", "timeout must be a duration such as \"10s\"");
            assertError(outcome, text, probe + "/failureThreshold", "\"failureThreshold\"", "must be at least 1, got 0");
            assertError(outcome, text, probe + "/successThreshold", "\"successThreshold\"", "must be at least 1, got 0");
        }

        @Test
        void zeroInitialDelayIsFine() {
            Catalog c = assertValid(parse(oneService("\"name\": \"gateway\",\n\"command\": [\"nexus\"],\n"
                    + "\"restart\": {\"initialDelay\": \"0s\"}")));
            assertEquals(java.time.Duration.ZERO, c.services().get(0).restart().initialDelay());
        }
    }

    @Nested
    class ProbesAndChildren {
        @Test
        void unknownProbeTypeAndMissingType() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "probes": {
                      "startup": {"type": "grpc"},
                      "readiness": {"period": "5s"}
                    }""");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/probes/startup/type", "\"type\"",
                    "unknown probe type \"grpc\" (expected process, tcp, http, websocket, gateway or exec)");
            assertError(outcome, text, "/services/0/probes/readiness/type", "\"readiness\"", "type is required");
        }

        @Test
        void urlSchemesMatchTheProbeType() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "probes": {
                      "startup": {"type": "websocket", "url": "http://127.0.0.1:1/"},
                      "liveness": {"type": "http", "url": "ws://127.0.0.1:1/"},
                      "readiness": {"type": "http"}
                    }""");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/probes/startup/url", "\"url\": \"http",
                    "must be a ws:// or wss:// URL, got \"http://127.0.0.1:1/\"");
            assertError(outcome, text, "/services/0/probes/liveness/url", "\"url\": \"ws:",
                    "must be an http:// or https:// URL");
            assertError(outcome, text, "/services/0/probes/readiness/url", "\"readiness\"", "url is required");
        }

        @Test
        void execProbeNeedsACommandArray() {
            String text = oneService("""
                    "name": "cloud",
                    "command": ["nexus", "cloud"],
                    "probes": {
                      "readiness": {"type": "exec", "command": "nexus cloud status"}
                    }""");
            assertError(parse(text), text, "/services/0/probes/readiness/command", "\"command\": \"nexus cloud",
                    "command must be an array of strings");
        }

        @Test
        void tcpProbeNeedsAPortAndFieldsOfOtherTypesAreWarned() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "probes": {
                      "liveness": {"type": "tcp", "url": "ws://x/"}
                    }""");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/probes/liveness/port", "\"liveness\"", "a tcp probe needs a port");
            assertWarning(outcome, text, "/services/0/probes/liveness/url", "\"url\"",
                    "url does not apply to a tcp probe; ignored");
        }

        @Test
        void childNamesAreUniqueWithinAService() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "children": [
                      {"name": "bridge", "probe": {"type": "tcp", "port": 18790}},
                      {"name": "canvas", "probe": {"type": "tcp", "port": 18793}},
                      {"name": "bridge", "probe": {"type": "tcp", "port": 18794}}
                    ]""");
            ParseOutcome outcome = parse(text);
            int first = lineOf(text, "18790");
            CatalogProblem p = assertError(outcome, text, "/services/0/children/2/name", "\"name\": \"bridge\", \"probe\": {\"type\": \"tcp\", \"port\": 18794",
                    "duplicate child name \"bridge\"; it is already used at line " + first);
            assertEquals(lineOf(text, "18794"), p.line());
        }

        @Test
        void sameChildNameInTwoServicesIsFine() {
            String text = """
                    {"version": 1, "services": [
                      {"name": "a", "command": ["a"], "children": [{"name": "web", "probe": {"type": "tcp", "port": 1}}]},
                      {"name": "b", "command": ["b"], "children": [{"name": "web", "probe": {"type": "tcp", "port": 2}}]}
                    ]}""";
            assertValid(parse(text));
        }

        @Test
        void childNeedsAProbe() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "children": [
                      {"name": "bridge"}
                    ]""");
            assertError(parse(text), text, "/services/0/children/0/probe", "{\"name\": \"bridge\"}", "a child needs a probe");
        }
    }

    @Nested
    class EnvAndLogs {
        @Test
        void envKeysMustBeVariableNamesAndValuesStrings() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "env": {
                      "GOOD_NAME": "ok",
                      "1BAD": "x",
                      "ALSO-BAD": "y",
                      "PORT": 18789
                    }""");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/env/1BAD", "\"1BAD\"", "\"1BAD\" is not a valid environment variable name");
            assertError(outcome, text, "/services/0/env/ALSO-BAD", "\"ALSO-BAD\"", "is not a valid environment variable name");
            assertError(outcome, text, "/services/0/env/PORT", "\"PORT\"", "env values must be strings, got 18789 (write \"18789\")");
            assertEquals(3, outcome.errors().size());
        }

        @Test
        void logSizesAndKeep() {
            String text = oneService("""
                    "name": "gateway",
                    "command": ["nexus"],
                    "log": {
                      "file": "~bob/gateway.log",
                      "maxSize": "10XB",
                      "keep": 0
                    }""");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/log/file", "\"file\"", "only \"~\" and \"~/...\" are understood");
            assertError(outcome, text, "/services/0/log/maxSize", "\"maxSize\"",
                    "expected a size such as \"10MB\", \"512KB\" or a number of bytes, got \"10XB\"");
            assertError(outcome, text, "/services/0/log/keep", "\"keep\"", "must be between 1 and 1000, got 0");
        }

        @Test
        void logSizeAcceptsUnitsAndBytes() {
            Catalog c = assertValid(parse(oneService(
                    "\"name\": \"a\",\n\"command\": [\"a\"],\n\"log\": {\"maxSize\": \"512KB\", \"keep\": 2}")));
            assertEquals(512 * 1024, c.services().get(0).log().maxBytes());
            Catalog bytes = assertValid(parse(oneService(
                    "\"name\": \"a\",\n\"command\": [\"a\"],\n\"log\": {\"maxSize\": 123456}")));
            assertEquals(123456, bytes.services().get(0).log().maxBytes());
        }
    }

    @Nested
    class Dependencies {
        private static final String TEMPLATE = """
                {
                  "version": 1,
                  "services": [
                    {
                      "name": "gateway",
                      "command": ["a"],
                      "dependsOn": [%s]
                    },
                    {
                      "name": "cloud",
                      "command": ["b"],
                      "dependsOn": [%s]
                    },
                    {
                      "name": "hub",
                      "command": ["c"],
                      "dependsOn": [%s]
                    }
                  ]
                }
                """;

        @Test
        void unknownServiceAndSelf() {
            String text = TEMPLATE.formatted("\"gateway\"", "\"nowhere\"", "");
            ParseOutcome outcome = parse(text);
            assertError(outcome, text, "/services/0/dependsOn/0", "\"gateway\"]",
                    "a service cannot depend on itself");
            assertError(outcome, text, "/services/1/dependsOn/0", "\"nowhere\"",
                    "unknown service \"nowhere\"; the catalog has gateway, cloud, hub");
        }

        @Test
        void cycleIsReportedWithItsPath() {
            String text = TEMPLATE.formatted("\"cloud\"", "\"gateway\"", "\"gateway\"");
            ParseOutcome outcome = parse(text);
            CatalogProblem p = assertErrorAt(outcome, "/services/1/dependsOn/0", 12, 21,
                    "dependency cycle: gateway → cloud → gateway");
            assertEquals(1, outcome.errors().size(), () -> outcome.errors().toString());
            assertEquals("dependency cycle: gateway → cloud → gateway", p.message());
        }

        @Test
        void longerCycle() {
            String text = TEMPLATE.formatted("\"cloud\"", "\"hub\"", "\"gateway\"");
            ParseOutcome outcome = parse(text);
            assertEquals(1, outcome.errors().size(), () -> outcome.errors().toString());
            CatalogProblem p = outcome.errors().get(0);
            assertEquals("/services/2/dependsOn/0", p.pointer());
            assertEquals("dependency cycle: gateway → cloud → hub → gateway", p.message());
            assertEquals(17, p.line());
        }

        @Test
        void diamondIsNotACycle() {
            String text = TEMPLATE.formatted("\"cloud\", \"hub\"", "\"hub\"", "");
            Catalog catalog = assertValid(parse(text));
            assertEquals(List.of("cloud", "hub"), catalog.find("gateway").orElseThrow().dependsOn());
        }

        @Test
        void listedTwiceAndWrongType() {
            String text = TEMPLATE.formatted("\"cloud\", \"cloud\"", "7", "");
            ParseOutcome outcome = parse(text);
            assertEquals("\"cloud\" is listed twice",
                    outcome.errors().stream().filter(p -> p.pointer().equals("/services/0/dependsOn/1")).findFirst()
                            .orElseThrow().message());
            assertEquals("must be a service name, got 7",
                    outcome.errors().stream().filter(p -> p.pointer().equals("/services/1/dependsOn/0")).findFirst()
                            .orElseThrow().message());
        }
    }

    @Nested
    class UnknownFields {
        @Test
        void unknownFieldsAreWarnedAtEveryLevelAndTheCatalogStillLoads() {
            String text = """
                    {
                      "version": 1,
                      "comment": "mine",
                      "services": [
                        {
                          "name": "gateway",
                          "command": ["nexus"],
                          "colour": "blue",
                          "probes": {
                            "liveness": {"type": "process", "note": "x"},
                            "deepness": {}
                          },
                          "restart": {"policy": "always", "crashLoop": {"runs": 3, "why": 1}}
                        }
                      ]
                    }
                    """;
            ParseOutcome outcome = parse(text);
            assertValid(outcome);
            assertWarning(outcome, text, "/comment", "\"comment\"", "unknown field \"comment\"; kept as is");
            assertWarning(outcome, text, "/services/0/colour", "\"colour\"", "unknown field \"colour\"; kept as is");
            assertWarning(outcome, text, "/services/0/probes/liveness/note", "\"note\"", "unknown field \"note\"");
            assertWarning(outcome, text, "/services/0/probes/deepness", "\"deepness\"", "unknown field \"deepness\"");
            assertWarning(outcome, text, "/services/0/restart/crashLoop/why", "\"why\"", "unknown field \"why\"");
            assertEquals(5, outcome.warnings().size());
            assertEquals("services.json:3:3: warning: /comment: unknown field \"comment\"; kept as is",
                    outcome.warnings().get(0).toString());
        }

        @Test
        void pointerEscapesSpecialCharacters() {
            String text = "{\n  \"version\": 1,\n  \"services\": [],\n  \"a/b~c\": 1\n}\n";
            ParseOutcome outcome = parse(text);
            assertWarning(outcome, text, "/a~1b~0c", "\"a/b~c\"", "unknown field \"a/b~c\"");
        }
    }

    @Nested
    class MalformedJson {
        @Test
        void syntaxErrorHasJacksonsPositionAndNoJavaInternals() {
            String text = "{\n  \"version\": 1,\n  \"services\": [\n    {\"name\": gateway}\n  ]\n}\n";
            ParseOutcome outcome = parse(text);
            assertNull(outcome.catalog());
            assertNull(outcome.tree());
            assertEquals(1, outcome.errors().size());
            CatalogProblem p = outcome.errors().get(0);
            assertEquals(4, p.line());
            assertEquals(lineOf(text, "gateway"), p.line());
            assertTrue(p.column() >= 14 && p.column() <= 22, () -> "column of " + p);
            assertEquals("/services/0/name", p.pointer());
            assertTrue(p.message().startsWith("invalid JSON: unrecognized token 'gateway'"), p.message());
            assertClean(p);
        }

        @Test
        void duplicateKeyNamesTheFirst() {
            String text = "{\n  \"version\": 1,\n  \"services\": [\n    {\n      \"name\": \"gateway\",\n"
                    + "      \"port\": 1,\n      \"port\": 2\n    }\n  ]\n}\n";
            ParseOutcome outcome = parse(text);
            CatalogProblem p = outcome.errors().get(0);
            assertEquals(1, outcome.errors().size());
            assertEquals(7, p.line());
            assertEquals("/services/0/port", p.pointer());
            assertEquals("invalid JSON: duplicate key \"port\"; it is first set at line 6, column 7", p.message());
            assertClean(p);
        }

        @Test
        void trailingCommaGetsAHint() {
            String text = "{\n  \"version\": 1,\n  \"services\": [],\n}\n";
            CatalogProblem p = parse(text).errors().get(0);
            assertEquals(4, p.line());
            assertTrue(p.message().contains("(is there a comma after the last item?)"), p.message());
            assertClean(p);
        }

        @Test
        void unterminatedObjectSaysWhereItStarted() {
            String text = "{\n  \"version\": 1,\n  \"services\": [\n";
            CatalogProblem p = parse(text).errors().get(0);
            assertTrue(p.message().contains("unexpected end-of-input"), p.message());
            assertClean(p);
        }

        @Test
        void emptyFileAndTrailingContent() {
            CatalogProblem empty = parse("  \n").errors().get(0);
            assertTrue(empty.message().startsWith("the file is empty"), empty.message());
            String text = "{\"version\": 1, \"services\": []}\n{}\n";
            CatalogProblem trailing = parse(text).errors().get(0);
            assertEquals(2, trailing.line());
            assertTrue(trailing.message().contains("unexpected content after the end"), trailing.message());
        }

        @Test
        void tooDeepNestingIsRefusedCleanly() {
            String text = "{\"version\": 1, \"services\": [], \"x\": " + "[".repeat(100) + "]".repeat(100) + "}";
            CatalogProblem p = parse(text).errors().get(0);
            assertTrue(p.message().contains("nesting depth"), p.message());
            assertClean(p);
        }

        private void assertClean(CatalogProblem p) {
            String text = p.toString();
            for (String internal : List.of("com.fasterxml", "Exception", "Source:", "REDACTED", "`", "\tat ")) {
                assertFalse(text.contains(internal), () -> "\"" + internal + "\" in " + text);
            }
        }
    }

    @Test
    void everyProblemInOneFileIsReportedInFileOrder() {
        String text = """
                {
                  "version": 1,
                  "services": [
                    {
                      "name": "Gateway",
                      "command": "nexus gateway-daemon",
                      "port": 70000
                    },
                    {
                      "name": "cloud",
                      "kind": "deamon",
                      "command": ["nexus", "cloud"],
                      "dependsOn": ["gateway"],
                      "stopTimeout": "-1s"
                    },
                    {
                      "name": "cloud",
                      "command": ["x"],
                      "extra": true
                    }
                  ]
                }
                """;
        ParseOutcome outcome = parse(text);
        assertNull(outcome.catalog());
        assertNotNull(outcome.tree());
        List<String> got = outcome.errors().stream().map(p -> p.line() + " " + p.pointer()).toList();
        assertEquals(List.of(
                "5 /services/0/name",
                "6 /services/0/command",
                "7 /services/0/port",
                "11 /services/1/kind",
                "13 /services/1/dependsOn/0",
                "14 /services/1/stopTimeout",
                "17 /services/2/name"), got);
        assertEquals(List.of("19 /services/2/extra"),
                outcome.warnings().stream().map(p -> p.line() + " " + p.pointer()).toList());
    }
}

package dev.nexus.services.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every `credential` subcommand through the real command tree (Main), with the real credential facade
 * on a temp NEXUS_ROOT (no session bus: the file-backed store). stdin is piped, as in scripts.
 */
class CredentialCommandTest {
    private static final String SECRET = "sk-ant-api03-cli-test-9f8e7d6c5b4a";

    @TempDir
    Path root;
    NexusPaths paths;
    Map<String, String> env;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void setUp() {
        paths = new NexusPaths(root);
        env = new HashMap<>();
        env.put(NexusPaths.ROOT_VARIABLE, root.toString());
        env.put("HOME", root.toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    private Result run(String stdin, String... args) {
        CredentialCommand.Io io = new CredentialCommand.Io(env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), null, false);
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> cls) throws Exception {
                return cls == CredentialCommand.class ? (K) new CredentialCommand(io) : CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cli = Main.commandLine(factory);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private void writeCatalog(String gatewayKeyValue) throws Exception {
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), """
                {
                  "version": 1,
                  "comment": "kept by every save",
                  "services": [
                    {"name": "gateway", "kind": "daemon", "command": ["nexus", "gateway-daemon"],
                     "env": {"MODE": "local", "ANTHROPIC_API_KEY": "%s", "GATEWAY_TOKEN": "credential:gateway/token"},
                     "x-team-note": {"owner": "ops"}},
                    {"name": "hub", "kind": "job", "command": ["nexus", "hub", "check"], "schedule": {"every": "6h"},
                     "env": {"CLAUDE_KEY": "%s"}}
                  ]
                }
                """.formatted(gatewayKeyValue, gatewayKeyValue));
    }

    @Test
    void setFromStdinThenGetMaskedOrRevealed() {
        Result set = run(SECRET + "\n", "credential", "set", "anthropic/default");
        assertEquals(0, set.code(), set.err());
        assertTrue(set.out().startsWith("Saved anthropic/default in "), set.out());
        assertFalse(set.out().contains(SECRET));

        Result masked = run("", "credential", "get", "anthropic/default");
        assertEquals(0, masked.code(), masked.err());
        assertEquals("anthropic/default = ••••••••  (set; --reveal prints the value)\n", masked.out());

        Result revealed = run("", "credential", "get", "anthropic/default", "--reveal");
        assertEquals(0, revealed.code());
        assertEquals(SECRET + "\n", revealed.out(), "the piped newline is not part of the value");
    }

    @Test
    void aValueIsNeverTakenFromAnArgumentAndNeverEmpty() {
        Result asArgument = run("", "credential", "set", "anthropic/default", SECRET);
        assertEquals(2, asArgument.code(), "usage error: set takes only a name");
        assertFalse(asArgument.err().contains("Saved"));

        Result empty = run("\n", "credential", "set", "anthropic/default");
        assertEquals(Main.EXIT_FAILED, empty.code());
        assertTrue(empty.err().contains("refusing an empty value"), empty.err());
        assertEquals(Main.EXIT_FAILED, run("", "credential", "get", "anthropic/default").code(), "nothing was stored");

        Result badName = run("x\n", "credential", "set", "Anthropic");
        assertEquals(Main.EXIT_FAILED, badName.code());
        assertTrue(badName.err().contains("invalid credential name \"Anthropic\""), badName.err());
    }

    @Test
    void getOfAnUnsetCredentialSaysHowToSetIt() {
        Result r = run("", "credential", "get", "openai/default");
        assertEquals(Main.EXIT_FAILED, r.code());
        assertEquals("nexus-services: credential openai/default is not set; set it with: nexus-services credential set "
                + "openai/default\n", r.err());
    }

    @Test
    void listShowsNamesBackendsAndUsersButNeverValues() throws Exception {
        writeCatalog("credential:anthropic/default");
        assertEquals(0, run(SECRET, "credential", "set", "anthropic/default").code());
        assertEquals(0, run("sk-unused-credential-value", "credential", "set", "spare/default").code());

        Result table = run("", "credential", "list");
        assertEquals(0, table.code(), table.err());
        assertFalse(table.out().contains(SECRET));
        assertFalse(table.out().contains("sk-unused-credential-value"));
        String[] lines = table.out().split("\n");
        assertTrue(lines[0].matches("NAME +BACKEND +UPDATED +USED BY"), lines[0]);
        assertTrue(lines[1].matches("anthropic/default +\\S+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +gateway, hub"), lines[1]);
        assertTrue(lines[2].matches("gateway/token +- +not set +gateway"), lines[2]);
        assertTrue(lines[3].matches("spare/default +\\S+ +\\d{4}-.* +-"), lines[3]);

        Result json = run("", "credential", "list", "--json");
        assertEquals(0, json.code());
        assertFalse(json.out().contains(SECRET));
        JsonNode rows = Json.MAPPER.readTree(json.out());
        assertEquals(3, rows.size());
        assertEquals("anthropic/default", rows.get(0).path("name").asText());
        assertTrue(rows.get(0).path("stored").asBoolean());
        assertEquals("gateway", rows.get(0).path("usedBy").get(0).asText());
        assertFalse(rows.get(1).path("stored").asBoolean());
    }

    @Test
    void rmDeletesAndWarnsAboutServicesThatStillReferToIt() throws Exception {
        writeCatalog("credential:anthropic/default");
        run(SECRET, "credential", "set", "anthropic/default");

        Result rm = run("", "credential", "rm", "anthropic/default");
        assertEquals(0, rm.code(), rm.err());
        assertEquals("Removed anthropic/default.\nStill referred to by gateway, hub: they will fail to start until it is set "
                + "again.\n", rm.out());
        assertEquals(Main.EXIT_FAILED, run("", "credential", "get", "anthropic/default").code());
        assertEquals(Main.EXIT_FAILED, run("", "credential", "rm", "anthropic/default").code(), "nothing left to remove");
    }

    @Test
    void importEnvStoresTheValueAndTurnsLiteralCopiesInServicesJsonIntoReferences() throws Exception {
        writeCatalog(SECRET);
        env.put("ANTHROPIC_API_KEY", SECRET);

        Result r = run("", "credential", "import-env", "ANTHROPIC_API_KEY");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Stored ANTHROPIC_API_KEY as anthropic/default in "), r.out());
        assertTrue(r.out().contains("services.json: gateway ANTHROPIC_API_KEY -> credential:anthropic/default"), r.out());
        assertTrue(r.out().contains("services.json: hub CLAUDE_KEY -> credential:anthropic/default"), r.out());
        assertFalse(r.out().contains(SECRET));
        String file = Files.readString(paths.catalogFile());
        assertFalse(file.contains(SECRET), file);
        assertTrue(file.contains("\"comment\": \"kept by every save\""), file);
        assertTrue(file.contains("\"x-team-note\""), file);
        LoadResult reloaded = new CatalogStore(paths, new CatalogCodec(paths)).load();
        assertTrue(reloaded.ok(), reloaded.errors().toString());
        assertEquals("credential:anthropic/default", reloaded.catalog().find("gateway").orElseThrow().env()
                .get("ANTHROPIC_API_KEY"));
        assertEquals("local", reloaded.catalog().find("gateway").orElseThrow().env().get("MODE"));
        assertEquals(SECRET, Credentials.open(paths, env).get(CredentialName.parse("anthropic/default")).orElseThrow()
                .reveal());
    }

    @Test
    void importEnvWithAnExplicitNameAndItsRefusals() throws Exception {
        writeCatalog("plain");
        env.put("WORK_KEY", SECRET);
        Result named = run("", "credential", "import-env", "WORK_KEY", "--as", "anthropic/work");
        assertEquals(0, named.code(), named.err());
        assertTrue(named.out().contains("No service in services.json refers to anthropic/work"), named.out());
        assertEquals(SECRET + "\n", run("", "credential", "get", "anthropic/work", "--reveal").out());

        Result missing = run("", "credential", "import-env", "NOT_EXPORTED_KEY");
        assertEquals(Main.EXIT_FAILED, missing.code());
        assertTrue(missing.err().contains("NOT_EXPORTED_KEY is not set in this environment"), missing.err());

        env.put("OTHER_KEY", "sk-different-value-1234");
        Result clash = run("", "credential", "import-env", "OTHER_KEY", "--as", "anthropic/work");
        assertEquals(Main.EXIT_FAILED, clash.code());
        assertTrue(clash.err().contains("anthropic/work is already set to another value"), clash.err());
        assertEquals(SECRET + "\n", run("", "credential", "get", "anthropic/work", "--reveal").out(), "unchanged");
        assertEquals(0, run("", "credential", "import-env", "OTHER_KEY", "--as", "anthropic/work", "--replace").code());
        assertEquals("sk-different-value-1234\n", run("", "credential", "get", "anthropic/work", "--reveal").out());

        assertEquals(Main.EXIT_FAILED, run("", "credential", "import-env", "WORK_KEY", "OTHER_KEY", "--as", "x/y").code(),
                "--as names one credential");
    }

    @Test
    void whereNamesTheActiveStoreAndWhy() {
        Result r = run("", "credential", "where");
        assertEquals(0, r.code(), r.err());
        Credentials credentials = Credentials.open(paths, env);
        assertTrue(r.out().startsWith("Active store: " + credentials.active().id() + " - "
                + credentials.active().description() + "\n"), r.out());
        assertTrue(r.out().contains(credentials.whereExplanation()), r.out());
    }
}

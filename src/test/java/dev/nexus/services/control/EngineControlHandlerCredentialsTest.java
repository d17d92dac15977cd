package dev.nexus.services.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.use.InMemoryCredentialStore;
import dev.nexus.services.credentials.use.StoreSecretSource;
import dev.nexus.services.engine.Engine;
import dev.nexus.services.engine.EngineOptions;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tray's view of credentials over the control API: names and users, a value only when revealed. */
class EngineControlHandlerCredentialsTest {
    private static final String SECRET = "sk-ant-api03-control-test-1a2b3c4d";

    @TempDir
    Path root;
    NexusPaths paths;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        paths = new NexusPaths(root);
        env = new HashMap<>();
        env.put(NexusPaths.ROOT_VARIABLE, root.toString());
        env.put("HOME", root.toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), """
                {"version": 1, "services": [
                  {"name": "gateway", "kind": "daemon", "command": ["nexus", "gateway-daemon"], "enabled": false,
                   "env": {"ANTHROPIC_API_KEY": "credential:anthropic/default", "T": "credential:gateway/token"}}
                ]}
                """);
    }

    @Test
    void listingHasNamesAndUsersButNoValuesAndRevealIsExplicit() throws Exception {
        Credentials.open(paths, env).set(CredentialName.parse("anthropic/default"), Secret.of(SECRET));
        try (Engine engine = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(1), env))) {
            EngineControlHandler handler = new EngineControlHandler(engine, () -> { });

            JsonNode list = handler.handle("credentials", Json.MAPPER.createObjectNode(), null);
            assertFalse(list.toString().contains(SECRET), list.toString());
            assertEquals(Credentials.open(paths, env).active().id(), list.path("backend").asText());
            assertFalse(list.path("where").asText().isEmpty());
            JsonNode first = list.path("credentials").get(0);
            assertEquals("anthropic/default", first.path("name").asText());
            assertTrue(first.path("stored").asBoolean());
            assertEquals("gateway", first.path("usedBy").get(0).asText());
            JsonNode second = list.path("credentials").get(1);
            assertEquals("gateway/token", second.path("name").asText());
            assertFalse(second.path("stored").asBoolean(), "referred to, not set");

            JsonNode masked = handler.handle("credential", Json.MAPPER.createObjectNode().put("name", "anthropic/default"), null);
            assertFalse(masked.toString().contains(SECRET));
            assertTrue(masked.path("set").asBoolean());
            assertFalse(masked.path("revealed").asBoolean());

            JsonNode revealed = handler.handle("credential", Json.MAPPER.createObjectNode().put("name", "anthropic/default")
                    .put("reveal", true), null);
            assertEquals(SECRET, revealed.path("value").asText());

            JsonNode unset = handler.handle("credential", Json.MAPPER.createObjectNode().put("name", "gateway/token")
                    .put("reveal", true), null);
            assertFalse(unset.path("set").asBoolean());
            assertTrue(unset.path("value").isMissingNode());

            ControlException bad = assertThrows(ControlException.class, () -> handler.handle("credential",
                    Json.MAPPER.createObjectNode().put("name", "Not A Name"), null));
            assertTrue(bad.getMessage().contains("invalid credential name"), bad.getMessage());
        }
    }

    @Test
    void anEngineWithASecretSourceOfItsOwnSaysSo() throws Exception {
        try (Engine engine = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(1), env,
                new StoreSecretSource(new InMemoryCredentialStore())))) {
            EngineControlHandler handler = new EngineControlHandler(engine, () -> { });
            ControlException e = assertThrows(ControlException.class,
                    () -> handler.handle("credentials", Json.MAPPER.createObjectNode(), null));
            assertTrue(e.getMessage().contains("not the credential store"), e.getMessage());
        }
    }
}

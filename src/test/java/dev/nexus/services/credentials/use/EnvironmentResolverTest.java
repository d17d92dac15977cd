package dev.nexus.services.credentials.use;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.use.MissingCredentialException.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvironmentResolverTest {
    private static final String KEY = "sk-ant-api03-resolver-test-value";
    private final InMemoryCredentialStore store = new InMemoryCredentialStore().put("anthropic/default", KEY);
    private final StoreSecretSource secrets = new StoreSecretSource(store)
            .onePassword("op://Private/Gateway/token", "gw-token-from-1password");
    private final EnvironmentResolver resolver = new EnvironmentResolver(secrets);

    private static Map<String, String> entries(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Test
    void referencesBecomeTheirSecretsAndOnlyThoseAreRedacted() throws Exception {
        ResolvedEnvironment env = resolver.resolve("gateway", Map.of("PATH", "/usr/bin", "HOME", "/home/u"),
                entries("ANTHROPIC_API_KEY", "credential:anthropic/default",
                        "GATEWAY_TOKEN", "op://Private/Gateway/token",
                        "MODE", "local",
                        "HOME", "/srv/gateway"));
        assertEquals(KEY, env.env().get("ANTHROPIC_API_KEY"));
        assertEquals("gw-token-from-1password", env.env().get("GATEWAY_TOKEN"));
        assertEquals("local", env.env().get("MODE"));
        assertEquals("/srv/gateway", env.env().get("HOME"), "the catalog's entries win over the base");
        assertEquals("/usr/bin", env.env().get("PATH"));
        assertEquals(Set.of(KEY, "gw-token-from-1password"), env.secrets());
        assertFalse(env.toString().contains(KEY), env.toString());
    }

    @Test
    void aMissingCredentialIsNamedWithHowToSetIt() {
        MissingCredentialException e = assertThrows(MissingCredentialException.class, () -> resolver.resolve("gateway",
                Map.of(), entries("ANTHROPIC_API_KEY", "credential:anthropic/default",
                        "OPENAI_API_KEY", "credential:openai/default")));
        assertEquals(1, e.problems().size());
        MissingCredentialException.Problem p = e.problems().get(0);
        assertEquals(Kind.NOT_SET, p.kind());
        assertEquals("OPENAI_API_KEY", p.variable());
        assertEquals(List.of(CredentialName.parse("openai/default")), e.credentialsToSet());
        assertTrue(e.getMessage().contains("credential openai/default is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("gateway needs it for OPENAI_API_KEY"), e.getMessage());
        assertTrue(e.getMessage().contains("nexus-services credential set openai/default"), e.getMessage());
        assertTrue(e.getMessage().contains("Settings › Credentials"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY), "the message never carries the credential that was read");
        assertFalse(e.isConfigurationProblem());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        MissingCredentialException e = assertThrows(MissingCredentialException.class, () -> resolver.resolve("hub",
                Map.of(), entries("A", "credential:a/default", "B", "op://Private/Nope/field", "C", "credential:c/x")));
        assertEquals(List.of("A", "B", "C"), e.problems().stream().map(MissingCredentialException.Problem::variable).toList());
        assertEquals(List.of(Kind.NOT_SET, Kind.UNREADABLE, Kind.NOT_SET),
                e.problems().stream().map(MissingCredentialException.Problem::kind).toList());
        assertTrue(e.getMessage().contains("1Password item op://Private/Nope/field cannot be read"), e.getMessage());
        assertTrue(e.getMessage().contains("isn't an item in any vault"), e.getMessage());
    }

    @Test
    void aLockedKeychainIsUnreadableWithTheStoresOwnAdvice() {
        store.lock(true);
        MissingCredentialException e = assertThrows(MissingCredentialException.class, () -> resolver.resolve("gateway",
                Map.of(), entries("ANTHROPIC_API_KEY", "credential:anthropic/default")));
        assertEquals(Kind.UNREADABLE, e.problems().get(0).kind());
        assertTrue(e.getMessage().contains("credential anthropic/default cannot be read"), e.getMessage());
        assertTrue(e.getMessage().contains("unlock it"), e.getMessage());
        assertEquals(List.of(), e.credentialsToSet(), "setting it again would not help");
    }

    @Test
    void aMalformedReferenceIsAConfigurationProblem() {
        MissingCredentialException e = assertThrows(MissingCredentialException.class, () -> resolver.resolve("gateway",
                Map.of(), entries("ANTHROPIC_API_KEY", "credential:Anthropic Default", "T", "op://only-vault")));
        assertTrue(e.isConfigurationProblem());
        assertTrue(e.getMessage().contains("invalid credential name \"Anthropic Default\""), e.getMessage());
        assertTrue(e.getMessage().contains("expected op://vault/item/field"), e.getMessage());
        assertEquals(0, store.reads(), "nothing is read for a reference that cannot name anything");
    }

    @Test
    void aStoreBugFailsTheServiceNotTheCaller() {
        StoreSecretSource broken = new StoreSecretSource(new InMemoryCredentialStore() {
            @Override
            public java.util.Optional<dev.nexus.services.credentials.Secret> read(CredentialName name) {
                throw new IllegalStateException("native call returned null");
            }
        });
        MissingCredentialException e = assertThrows(MissingCredentialException.class, () -> new EnvironmentResolver(broken)
                .resolve("gateway", Map.of(), entries("K", "credential:anthropic/default")));
        assertEquals(Kind.UNREADABLE, e.problems().get(0).kind());
        assertTrue(e.getMessage().contains("IllegalStateException native call returned null"), e.getMessage());
    }

    @Test
    void onlyWholeValuesAreReferences() throws Exception {
        ResolvedEnvironment env = resolver.resolve("x", Map.of(), entries("DOC", "see op://x/y/z for the token",
                "NOTE", "use credential:anthropic/default"));
        assertEquals("see op://x/y/z for the token", env.env().get("DOC"));
        assertEquals("use credential:anthropic/default", env.env().get("NOTE"));
        assertEquals(Set.of(), env.secrets());
        assertFalse(EnvironmentResolver.hasReferences(entries("DOC", "see op://x/y/z")));
        assertTrue(EnvironmentResolver.hasReferences(entries("K", "credential:a/b")));
        assertTrue(EnvironmentResolver.hasReferences(entries("K", "op://v/i/f")));
    }

    @Test
    void parsingReferences() {
        assertEquals(new EnvReference.Credential(CredentialName.parse("gateway/token")),
                EnvReference.parse("credential:gateway/token"));
        assertInstanceOf(EnvReference.OnePassword.class, EnvReference.parse("op://Private/Item/section/field"));
        assertEquals(new EnvReference.Literal("plain"), EnvReference.parse("plain"));
        assertThrows(IllegalArgumentException.class, () -> EnvReference.parse("credential:"));
        assertThrows(IllegalArgumentException.class, () -> EnvReference.parse("op://v//f"));
        assertEquals("credential:anthropic/default",
                EnvReference.credentialValue(CredentialName.parse("anthropic/default")));
    }

    @Test
    void readableSecretsForAdoptionSkipWhatCannotBeRead() {
        Set<String> values = resolver.readableSecrets("gateway", entries("A", "credential:anthropic/default",
                "B", "credential:missing/default", "C", "op://Private/Gateway/token", "D", "credential:Bad", "E", "plain"));
        assertEquals(Set.of(KEY, "gw-token-from-1password"), values);
    }
}

package dev.nexus.services.credentials.use;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.CredentialName;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvImportTest {
    @Test
    void namesComeFromTheVariable() {
        assertEquals(CredentialName.parse("anthropic/default"), EnvImport.deriveName("ANTHROPIC_API_KEY"));
        assertEquals(CredentialName.parse("openai/default"), EnvImport.deriveName("OPENAI_API_KEY"));
        assertEquals(CredentialName.parse("github/default"), EnvImport.deriveName("GITHUB_TOKEN"));
        assertEquals(CredentialName.parse("nexus-cloud/default"), EnvImport.deriveName("NEXUS_CLOUD_TOKEN"));
        assertEquals(CredentialName.parse("aws/default"), EnvImport.deriveName("AWS_SECRET_KEY"));
        assertEquals(CredentialName.parse("token/default"), EnvImport.deriveName("TOKEN"), "a suffix alone stays");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EnvImport.deriveName("__KEY"));
        assertEquals("cannot derive a credential name from __KEY; name it with --as service/profile", e.getMessage());
    }

    private static ServiceSpec service(String name, Map<String, String> env) {
        return new ServiceSpec(name, name, ServiceKind.DAEMON, true, List.of("x"), null, env, ManagerKind.AUTO,
                List.of(), null, Probes.NONE, RestartSpec.DEFAULT, Duration.ofSeconds(3), null, List.of(), null, null);
    }

    @Test
    void everyLiteralCopyBecomesAReferenceAndNothingElseChanges() {
        Map<String, String> gatewayEnv = new LinkedHashMap<>();
        gatewayEnv.put("MODE", "local");
        gatewayEnv.put("ANTHROPIC_API_KEY", "sk-ant-123456");
        gatewayEnv.put("OTHER", "credential:other/default");
        ServiceSpec gateway = service("gateway", gatewayEnv);
        ServiceSpec hub = service("hub", Map.of("CLAUDE_KEY", "sk-ant-123456"));
        ServiceSpec cloud = service("cloud", Map.of("TOKEN", "unrelated"));
        Catalog catalog = new Catalog(1, List.of(gateway, hub, cloud));

        EnvImport.Result r = EnvImport.rewrite(catalog, Map.of("sk-ant-123456", CredentialName.parse("anthropic/default")));

        assertEquals(List.of(new EnvImport.Rewrite("gateway", "ANTHROPIC_API_KEY", CredentialName.parse("anthropic/default")),
                new EnvImport.Rewrite("hub", "CLAUDE_KEY", CredentialName.parse("anthropic/default"))), r.rewrites());
        ServiceSpec newGateway = r.catalog().find("gateway").orElseThrow();
        assertEquals(List.of("MODE", "ANTHROPIC_API_KEY", "OTHER"), List.copyOf(newGateway.env().keySet()), "order kept");
        assertEquals("credential:anthropic/default", newGateway.env().get("ANTHROPIC_API_KEY"));
        assertEquals("credential:other/default", newGateway.env().get("OTHER"));
        assertEquals("credential:anthropic/default", r.catalog().find("hub").orElseThrow().env().get("CLAUDE_KEY"));
        assertSame(cloud, r.catalog().find("cloud").orElseThrow(), "untouched services are the same objects");
    }
}

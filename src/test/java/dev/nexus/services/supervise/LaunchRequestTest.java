package dev.nexus.services.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nexus.services.catalog.LogSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LaunchRequestTest {
    @Test
    void printingARequestNeverShowsTheEnvironmentOrTheSecrets() {
        LaunchRequest r = new LaunchRequest("gateway", List.of("nexus", "gateway-daemon"), Path.of("/w"),
                Map.of("ANTHROPIC_API_KEY", "sk-canary-1234567890"), new LogSpec(Path.of("/l/o"), Path.of("/l/e"), 1, 1),
                Set.of("sk-canary-1234567890"));
        assertFalse(r.toString().contains("sk-canary"), r.toString());
        assertEquals("LaunchRequest[service=gateway, command=[nexus, gateway-daemon], workingDir=/w, "
                + "env=1 variables, redact=1 secrets]", r.toString());
    }
}

package dev.nexus.services.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InheritedEnvironmentTest {
    @Test
    void jpackagesLauncherMarkIsNotPassedOnAndEverythingElseIs() {
        Map<String, String> env = Map.of("_JPACKAGE_LAUNCHER", "", "PATH", "/usr/bin", "NEXUS_ROOT", "/n");
        assertEquals(Map.of("PATH", "/usr/bin", "NEXUS_ROOT", "/n"), InheritedEnvironment.forChildren(env));
        Map<String, String> builder = new HashMap<>(env);
        InheritedEnvironment.clean(builder);
        assertEquals(Map.of("PATH", "/usr/bin", "NEXUS_ROOT", "/n"), builder);
    }
}

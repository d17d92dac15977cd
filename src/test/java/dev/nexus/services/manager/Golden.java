package dev.nexus.services.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/golden/}: the generated text must equal the file byte for
 * byte. Run with {@code -Dgolden.update=true} to (re)write them after a deliberate change, then review the
 * diff like any other change.
 */
public final class Golden {
    private static final Path ROOT = Path.of("src", "test", "resources", "golden");

    private Golden() {
    }

    /** @param name the file below {@code golden/}, e.g. {@code "linux/nexus-services.systemd252.service"} */
    public static void assertMatches(String name, String actual) throws IOException {
        Path file = ROOT.resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        assertTrue(Files.exists(file), "no golden file " + file.toAbsolutePath() + "; write it with -Dgolden.update=true");
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual, "differs from " + file
                + " (after a deliberate change: -Dgolden.update=true, then review the diff)");
    }
}

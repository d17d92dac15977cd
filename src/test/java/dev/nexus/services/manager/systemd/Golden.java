package dev.nexus.services.manager.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files of the Linux units and autostart entries in {@code src/test/resources/golden/linux/}. A
 * difference fails the test. After an intended change, rewrite them with {@code -Dgolden.update=true} and
 * review the diff before committing.
 */
public final class Golden {
    public static final Path DIR = Path.of("src/test/resources/golden/linux");
    private static final String UPDATE_PROPERTY = "golden.update";

    private Golden() {
    }

    public static void assertMatches(String name, String actual) throws IOException {
        Path file = DIR.resolve(name);
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(DIR);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        assertTrue(Files.isRegularFile(file), "no golden file " + file.toAbsolutePath()
                + "; create it with -D" + UPDATE_PROPERTY + "=true and review it");
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual, "differs from the golden file " + file
                + " (if the change is intended: -D" + UPDATE_PROPERTY + "=true, then review the diff)");
    }
}

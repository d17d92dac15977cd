package dev.nexus.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The engine never depends on JavaFX or AWT: only the tray package may (DESIGN.md, issue 2). */
class PackageRulesTest {
    private static final Path MAIN = Path.of("src/main/java/dev/nexus/services");
    private static final Pattern UI_IMPORT = Pattern.compile("^import\\s+(static\\s+)?(javafx|java\\.awt|javax\\.swing)\\.",
            Pattern.MULTILINE);

    @Test
    void onlyTheTrayPackageImportsJavaFxOrAwt() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Files.walk(MAIN)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !MAIN.relativize(p).startsWith("tray"))
                    .filter(p -> {
                        try {
                            return UI_IMPORT.matcher(Files.readString(p)).find();
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .map(Path::toString).toList();
        }
        assertEquals(List.of(), offenders);
    }
}

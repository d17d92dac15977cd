package dev.nexus.services.manager.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexus.services.manager.CommandRunner;
import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.PlanApplier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The charset added to GeneratedFile for schtasks: UTF-16LE with a byte order mark on disk, UTF-8 unchanged. */
class GeneratedFileCharsetTest {
    @TempDir
    Path dir;

    @Test
    void utf16leIsWrittenWithItsByteOrderMarkAndParsesAsTheDeclaredEncoding() throws Exception {
        String xml = WindowsTasks.engine(WinFixtures.USER, List.of("C:\\Programme\\Nexus Services\\nexus-services.exe", "daemon"),
                "C:\\Users\\Åsa");
        Path file = dir.resolve("tasks/login-engine.xml");
        CommandRunner none = (argv, timeout) -> {
            throw new AssertionError("no tool runs for a plan without commands");
        };

        new PlanApplier(none).apply(new InstallPlan("engine", List.of(GeneratedFile.of(file, xml, StandardCharsets.UTF_16LE)),
                List.of(), List.of()), List.of());

        byte[] bytes = Files.readAllBytes(file);
        assertEquals(0xFF, bytes[0] & 0xFF);
        assertEquals(0xFE, bytes[1] & 0xFF);
        assertEquals(xml, new String(Arrays.copyOfRange(bytes, 2, bytes.length), StandardCharsets.UTF_16LE));
        TaskXmlDocs task = TaskXmlDocs.parse(bytes);
        assertEquals("UTF-16", task.encoding());
        assertEquals("C:\\Users\\Åsa", task.text("Actions/Exec/WorkingDirectory"));
    }

    @Test
    void utf8StaysTheDefaultWithoutAMark() {
        Path file = dir.resolve("a.plist");
        GeneratedFile of = GeneratedFile.of(file, "é");
        GeneratedFile constructed = new GeneratedFile(file, "é", true);

        assertEquals(StandardCharsets.UTF_8, of.charset());
        assertEquals(StandardCharsets.UTF_8, constructed.charset());
        assertArrayEquals(new byte[] {(byte) 0xC3, (byte) 0xA9}, of.bytes());
    }
}

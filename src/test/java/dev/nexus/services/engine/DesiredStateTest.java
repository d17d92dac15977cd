package dev.nexus.services.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.support.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which services the user wants up, when the file cannot be saved (issue 7: disk full, read-only state
 * directory): the failure is told (the engine shows it among its problems), and the wish is saved at the
 * next chance even when it did not change since, so the problem clears.
 */
class DesiredStateTest {
    @TempDir
    Path dir;

    @Test
    void aFailedSaveIsToldAndTheSameWishIsSavedOnceItCanBe() throws Exception {
        Path file = dir.resolve("run").resolve("desired.json");
        // Something that is not a file where the file goes: every save fails, as on a full disk.
        Files.createDirectories(file.resolve("in-the-way"));
        List<String> told = new ArrayList<>();
        DesiredState desired = new DesiredState(file, told::add);

        desired.set("cloud", true);
        assertEquals(1, told.size(), told.toString());
        assertTrue(told.get(0).startsWith("cannot save " + file + " ("), told.get(0));
        assertTrue(told.get(0).endsWith("after an engine restart, which services were up may be out of date"), told.get(0));
        assertTrue(desired.wantsUp("cloud"), "the wish is kept in memory");
        try (var leftovers = Files.list(file.getParent())) {
            assertEquals(List.of(file), leftovers.toList(), "no temp file left behind");
        }

        Files.delete(file.resolve("in-the-way"));
        Files.delete(file);
        desired.set("cloud", true); // the same wish as before: saved now all the same
        assertNull(told.get(told.size() - 1), "the problem is cleared: " + told);
        assertEquals("up", Json.MAPPER.readTree(Files.readString(file)).path("services").path("cloud").asText());
        assertTrue(new DesiredState(file).wantsUp("cloud"), "a restarted engine reads it");
    }
}

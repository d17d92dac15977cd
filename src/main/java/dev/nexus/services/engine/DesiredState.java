package dev.nexus.services.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.AtomicFiles;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which services the user wants up, kept in the run dir so that an engine that restarts (crash,
 * upgrade, reboot) brings back what was running and leaves stopped what the user stopped.
 */
final class DesiredState {
    private static final Logger LOG = LoggerFactory.getLogger(DesiredState.class);
    private final Path file;
    private final Set<String> up = new TreeSet<>();
    private final Consumer<String> problems;
    /** The last save failed: what is in memory is newer than the file. */
    private boolean unsaved;

    DesiredState(Path file) {
        this(file, problem -> { });
    }

    /** @param problems told why the file cannot be saved, and null once it is saved again */
    DesiredState(Path file, Consumer<String> problems) {
        this.file = file;
        this.problems = problems;
        try {
            JsonNode node = Json.MAPPER.readTree(Files.readString(file));
            for (Map.Entry<String, JsonNode> e : node.path("services").properties()) {
                if ("up".equals(e.getValue().asText())) {
                    up.add(e.getKey());
                }
            }
        } catch (NoSuchFileException e) {
            // first run: nothing wanted yet
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring unreadable {}: {}", file, e.getMessage());
        }
    }

    boolean wantsUp(String service) {
        return up.contains(service);
    }

    void set(String service, boolean wantUp) {
        boolean changed = wantUp ? up.add(service) : up.remove(service);
        if (changed || unsaved) {
            save(); // also a wish that could not be saved before (disk full), now that it may be
        }
    }

    private void save() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode services = root.putObject("services");
        up.forEach(s -> services.put(s, "up"));
        try {
            AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            unsaved = false;
            problems.accept(null);
        } catch (IOException e) {
            // The engine keeps working; only the memory of the user's wish across a restart is at risk.
            LOG.warn("Could not save {}: {}", file, e.getMessage());
            unsaved = true;
            problems.accept("cannot save " + file + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "): after an engine restart, which services were up may be out of date");
        }
    }
}

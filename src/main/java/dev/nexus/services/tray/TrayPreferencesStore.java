package dev.nexus.services.tray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.AtomicFiles;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes {@code state/tray.json}. A missing or unreadable file gives the defaults (and a
 * warning for the unreadable one); saving is atomic. Unknown notification names are ignored.
 */
public final class TrayPreferencesStore {
    private static final Logger LOG = LoggerFactory.getLogger(TrayPreferencesStore.class);
    private final Path file;

    public TrayPreferencesStore(NexusPaths paths) {
        this.file = paths.state().resolve("tray.json");
    }

    public Path file() {
        return file;
    }

    public TrayPreferences load() {
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(file));
            EnumSet<NotificationType> on = EnumSet.noneOf(NotificationType.class);
            JsonNode notifications = n.path("notifications");
            for (NotificationType t : NotificationType.values()) {
                if (notifications.path(key(t)).asBoolean(true)) {
                    on.add(t);
                }
            }
            return new TrayPreferences(n.path("launchAtLogin").asBoolean(false), on);
        } catch (NoSuchFileException e) {
            return TrayPreferences.DEFAULTS;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Using default tray settings: {} is unreadable ({})", file, e.getMessage());
            return TrayPreferences.DEFAULTS;
        }
    }

    public void save(TrayPreferences prefs) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("launchAtLogin", prefs.launchAtLogin());
        ObjectNode notifications = root.putObject("notifications");
        for (NotificationType t : NotificationType.values()) {
            notifications.put(key(t), prefs.notifies(t));
        }
        AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    /** "crashLoop" style keys: the file is for people too. */
    private static String key(NotificationType t) {
        String[] parts = t.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return sb.toString();
    }
}

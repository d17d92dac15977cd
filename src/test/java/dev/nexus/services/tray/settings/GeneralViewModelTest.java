package dev.nexus.services.tray.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.NotificationType;
import dev.nexus.services.tray.TrayPreferences;
import dev.nexus.services.tray.TrayPreferencesStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The General tab's rules, without a display: files in a temp NEXUS_ROOT and a temp XDG_CONFIG_HOME. */
class GeneralViewModelTest {
    private static final Path LAUNCHER = Path.of("/opt/nexus/bin/nexus-services");

    @TempDir
    Path tmp;
    private NexusPaths paths;
    private TrayPreferencesStore store;
    private Path config;
    private Path entry;

    @BeforeEach
    void setUp() {
        paths = new NexusPaths(tmp.resolve("nexus"));
        store = new TrayPreferencesStore(paths);
        config = tmp.resolve("config");
        entry = config.resolve("autostart").resolve(dev.nexus.services.manager.linux.DesktopEntries.TRAY_FILE);
    }

    private GeneralViewModel model(String os) {
        HostEnvironment host = new HostEnvironment(os, Map.of("XDG_CONFIG_HOME", config.toString()),
                tmp.resolve("home"), Optional.of(LAUNCHER));
        GeneralViewModel model = new GeneralViewModel(store, new LaunchAtLogin(host), Runnable::run, Runnable::run);
        model.load().join();
        return model;
    }

    @Test
    void withoutTrayJsonEveryNotificationIsOnAndNothingIsDirty() {
        GeneralViewModel model = model("Linux");
        assertTrue(model.loadedProperty().get());
        for (NotificationType type : NotificationType.values()) {
            assertTrue(model.notificationProperty(type).get(), type.name());
        }
        assertFalse(model.launchAtLoginProperty().get());
        assertFalse(model.dirtyProperty().get());
        assertFalse(model.save().join(), "nothing to save");
        assertFalse(Files.exists(store.file()));
    }

    @Test
    void turningANotificationOffIsSavedToTrayJsonAndReadBack() throws Exception {
        GeneralViewModel model = model("Linux");
        model.notificationProperty(NotificationType.CRASH_LOOP).set(false);
        assertTrue(model.dirtyProperty().get());

        assertTrue(model.save().join());
        assertEquals(StatusMessage.Kind.SUCCESS, model.statusProperty().get().kind());
        assertFalse(model.dirtyProperty().get());
        JsonNode json = Json.MAPPER.readTree(Files.readString(store.file()));
        assertFalse(json.path("notifications").path("crashLoop").asBoolean(true), json.toString());
        assertTrue(json.path("notifications").path("down").asBoolean(false), json.toString());

        TrayPreferences expected = new TrayPreferences(false, EnumSet.complementOf(EnumSet.of(NotificationType.CRASH_LOOP)));
        assertEquals(expected, store.load());
        assertEquals(expected, model(("Linux")).edited(), "a new page shows what was saved");
    }

    @Test
    void launchAtLoginWritesAndRemovesTheAutostartEntry() throws Exception {
        GeneralViewModel model = model("Linux");
        assertTrue(model.launchAtLoginAvailability().available());
        model.launchAtLoginProperty().set(true);
        assertTrue(model.save().join());
        assertTrue(Files.readString(entry).contains(LAUNCHER + " tray\n"), Files.readString(entry));
        assertTrue(store.load().launchAtLogin());
        assertTrue(model.statusProperty().get().text().contains("opens when you log in"),
                model.statusProperty().get().text());

        model.launchAtLoginProperty().set(false);
        assertTrue(model.save().join());
        assertFalse(Files.exists(entry));
        assertFalse(store.load().launchAtLogin());
    }

    @Test
    void theEntryOnDiskDecidesWhatTheToggleShows() throws Exception {
        // Made by an earlier save, then tray.json lost: the entry still starts the app, so the toggle says on.
        new LaunchAtLogin(new HostEnvironment("Linux", Map.of("XDG_CONFIG_HOME", config.toString()), tmp,
                Optional.of(LAUNCHER))).apply(true);
        assertTrue(model("Linux").launchAtLoginProperty().get());
        Files.delete(entry);
        store.save(TrayPreferences.DEFAULTS.withLaunchAtLogin(true));
        assertFalse(model("Linux").launchAtLoginProperty().get(), "removed in the desktop's own settings");
    }

    @Test
    void onASystemWithoutLoginItemsTheToggleIsUnavailableAndNothingIsWritten() {
        GeneralViewModel model = model("FreeBSD");
        assertFalse(model.launchAtLoginAvailability().available());
        assertEquals("Launch at login is not available on FreeBSD.", model.launchAtLoginDetail());
        model.notificationProperty(NotificationType.DOWN).set(false);
        assertTrue(model.save().join());
        assertFalse(Files.exists(config), "no autostart directory");
    }

    @Test
    void aFailedSaveSaysWhichFileAndWhyAndStaysDirty() throws Exception {
        // state/ is a file, so tray.json cannot be written below it.
        Files.createDirectories(paths.root());
        Files.writeString(paths.state(), "not a directory");
        GeneralViewModel model = model("Linux");
        model.notificationProperty(NotificationType.RECOVERED).set(false);

        assertFalse(model.save().join());
        StatusMessage status = model.statusProperty().get();
        assertEquals(StatusMessage.Kind.ERROR, status.kind());
        assertTrue(status.text().startsWith("Could not save " + store.file()), status.text());
        assertTrue(status.text().contains("Nothing was changed"), status.text());
        assertTrue(model.dirtyProperty().get());
        assertFalse(model.busyProperty().get());
    }

    @Test
    void aLoginEntryThatCannotBeWrittenIsReportedAfterThePreferencesAreSaved() throws Exception {
        Files.createDirectories(config);
        Files.writeString(config.resolve("autostart"), "a file where the directory should be");
        GeneralViewModel model = model("Linux");
        model.launchAtLoginProperty().set(true);

        assertFalse(model.save().join());
        StatusMessage status = model.statusProperty().get();
        assertEquals(StatusMessage.Kind.ERROR, status.kind());
        assertTrue(status.text().contains("could not create the login item: could not write the files of tray (a file "
                + "is in the way where a directory is needed: " + config.resolve("autostart") + ")"), status.text());
        assertTrue(store.load().launchAtLogin(), "tray.json was saved before the entry failed");
        assertTrue(model.dirtyProperty().get(), "the entry is still to be made");
    }
}

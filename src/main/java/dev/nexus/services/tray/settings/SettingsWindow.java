package dev.nexus.services.tray.settings;

import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.EngineCommands;
import dev.nexus.services.tray.TrayPreferencesStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.ComboBoxBase;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings window: one tab per {@link SettingsPageProvider} in {@link #PAGES}. Esc closes it, Enter saves
 * the tab in front. Opening it again while it is open brings it to the front; opening it after it was closed
 * reads the files afresh.
 */
public final class SettingsWindow {
    /** The tabs, in order. The credentials issue adds its tab here. */
    public static final List<SettingsPageProvider> PAGES = List.of(GeneralPage::new, ServicesPage::new, CredentialsPage::new);

    static final double WIDTH = 760;
    static final double HEIGHT = 540;
    private static final Logger LOG = LoggerFactory.getLogger(SettingsWindow.class);

    private final NexusPaths paths;
    private final EngineCommands commands;
    private final TrayPreferencesStore preferences;
    private final HostEnvironment host;
    private final List<SettingsPageProvider> providers;

    private Stage stage;
    private TabPane tabs;
    private final List<SettingsPage> pages = new ArrayList<>();
    private ExecutorService background;

    public SettingsWindow(NexusPaths paths, EngineCommands commands, TrayPreferencesStore preferences) {
        this(paths, commands, preferences, HostEnvironment.current(), PAGES);
    }

    /** For tests: another host (a temp XDG_CONFIG_HOME, another OS) and other pages. */
    SettingsWindow(NexusPaths paths, EngineCommands commands, TrayPreferencesStore preferences, HostEnvironment host,
                   List<SettingsPageProvider> providers) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.preferences = Objects.requireNonNull(preferences, "preferences");
        this.host = Objects.requireNonNull(host, "host");
        this.providers = List.copyOf(providers);
    }

    /** Opens on the page with this title ("Credentials" for "Set credential…"). Call on the FX thread. */
    public void show(String pageTitle) {
        show();
        tabs.getTabs().stream().filter(t -> t.getText().equals(pageTitle)).findFirst()
                .ifPresent(t -> tabs.getSelectionModel().select(t));
    }

    /** Opens the window, or brings the open one to the front. Call on the FX thread. */
    public void show() {
        if (!Platform.isFxApplicationThread()) {
            throw new IllegalStateException("SettingsWindow.show() must be called on the JavaFX thread");
        }
        if (stage == null) {
            build();
        }
        if (stage.isIconified()) {
            stage.setIconified(false);
        }
        stage.show();
        stage.toFront();
        stage.requestFocus();
    }

    private void build() {
        background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nexus-settings-io");
            t.setDaemon(true);
            return t;
        });
        SettingsContext context = new SettingsContext(paths, commands, preferences, host, background, Platform::runLater);
        tabs = new TabPane();
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        for (SettingsPageProvider provider : providers) {
            SettingsPage page = provider.create(context);
            pages.add(page);
            Tab tab = new Tab(page.title(), page.view());
            tab.setId("tab-" + page.title().toLowerCase(java.util.Locale.ROOT));
            tab.setUserData(page);
            tabs.getTabs().add(tab);
        }
        Scene scene = new Scene(tabs, WIDTH, HEIGHT);
        scene.getStylesheets().add(Objects.requireNonNull(SettingsWindow.class.getResource("settings.css"),
                "settings.css").toExternalForm());
        // Esc as a handler: an open combo box list consumes it first to close itself.
        scene.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                e.consume();
                stage.close();
            }
        });
        // Enter as a filter: check boxes and buttons would otherwise swallow it. Not while a list is open,
        // where Enter picks the item.
        scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER && !e.isShortcutDown() && !e.isAltDown()
                    && !(scene.getFocusOwner() instanceof ComboBoxBase<?> box && box.isShowing())) {
                e.consume();
                selectedPage().save();
            }
        });
        stage = new Stage();
        stage.setTitle("Nexus Services — Settings");
        stage.setScene(scene);
        stage.setMinWidth(620);
        stage.setMinHeight(420);
        stage.setOnHidden(e -> dispose());
    }

    private SettingsPage selectedPage() {
        return (SettingsPage) tabs.getSelectionModel().getSelectedItem().getUserData();
    }

    private void dispose() {
        for (SettingsPage page : pages) {
            try {
                page.dispose();
            } catch (RuntimeException e) {
                LOG.warn("Closing the settings page {} failed", page.title(), e);
            }
        }
        pages.clear();
        background.shutdown();
        stage = null;
        tabs = null;
    }

    /** The open window's stage, for tests; null when closed. */
    Stage stage() {
        return stage;
    }
}

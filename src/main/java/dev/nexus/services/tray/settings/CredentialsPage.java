package dev.nexus.services.tray.settings;

import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.credentials.Credentials;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.scene.Node;

/** Settings › Credentials: the credentials in the OS keychain (or the encrypted fallback), and who uses them. */
public final class CredentialsPage implements SettingsPage {
    /** The tab "Set credential…" opens. */
    public static final String TITLE = "Credentials";

    private final ExecutorService keychain;
    private final CredentialsViewModel model;
    private final CredentialsController controller;
    private final Node view;

    public CredentialsPage(SettingsContext context) {
        // A thread of its own: a keychain can take long to answer, and must not hold up the other tabs' file work.
        keychain = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nexus-settings-keychain");
            t.setDaemon(true);
            return t;
        });
        CatalogStore catalog = new CatalogStore(context.paths(), new CatalogCodec(context.paths()));
        this.model = new CredentialsViewModel(() -> Credentials.open(context.paths(), context.host().env()), catalog,
                context.commands(), keychain, context.ui());
        this.controller = new CredentialsController(model);
        this.view = Fxml.load(CredentialsPage.class, "CredentialsTab.fxml", controller);
        model.load();
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Node view() {
        return view;
    }

    /** Nothing is pending on this tab: every change is saved from its dialog. */
    @Override
    public void save() {
    }

    @Override
    public void dispose() {
        controller.closeWindows();
        keychain.shutdown();
    }

    CredentialsViewModel model() {
        return model;
    }
}

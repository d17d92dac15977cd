package dev.nexus.services.tray.settings;

import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import javafx.scene.Node;

/** Settings › Services: enable, manager, autostart and liveness period per service. */
public final class ServicesPage implements SettingsPage {
    private final ServicesViewModel model;
    private final Node view;

    public ServicesPage(SettingsContext context) {
        CatalogStore store = new CatalogStore(context.paths(), new CatalogCodec(context.paths()));
        this.model = new ServicesViewModel(store, context.commands(), context.background(), context.ui());
        this.view = Fxml.load(ServicesPage.class, "ServicesTab.fxml", new ServicesController(model));
        model.load();
    }

    @Override
    public String title() {
        return "Services";
    }

    @Override
    public Node view() {
        return view;
    }

    @Override
    public void save() {
        model.save();
    }

    ServicesViewModel model() {
        return model;
    }
}

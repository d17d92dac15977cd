package dev.nexus.services.tray.settings;

import javafx.scene.Node;

/** Settings › General: launch at login and notifications. */
public final class GeneralPage implements SettingsPage {
    private final GeneralViewModel model;
    private final Node view;

    public GeneralPage(SettingsContext context) {
        this.model = new GeneralViewModel(context.preferences(), new LaunchAtLogin(context.host()),
                context.background(), context.ui());
        this.view = Fxml.load(GeneralPage.class, "GeneralTab.fxml", new GeneralController(model));
        model.load();
    }

    @Override
    public String title() {
        return "General";
    }

    @Override
    public Node view() {
        return view;
    }

    @Override
    public void save() {
        model.save();
    }

    GeneralViewModel model() {
        return model;
    }
}

package dev.nexus.services.tray.settings;

import dev.nexus.services.tray.NotificationType;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Pane;
import javafx.scene.layout.VBox;

/** Binds GeneralTab.fxml to a {@link GeneralViewModel}; no logic of its own. */
public final class GeneralController {
    private final GeneralViewModel model;

    @FXML Pane content;
    @FXML CheckBox launchAtLogin;
    @FXML Label launchAtLoginNote;
    @FXML VBox notificationBoxes;
    @FXML Label status;
    @FXML Button saveButton;

    public GeneralController(GeneralViewModel model) {
        this.model = model;
    }

    @FXML
    void initialize() {
        launchAtLogin.selectedProperty().bindBidirectional(model.launchAtLoginProperty());
        LaunchAtLogin.Availability availability = model.launchAtLoginAvailability();
        launchAtLogin.setDisable(!availability.available());
        launchAtLogin.setTooltip(new Tooltip(availability.available()
                ? "Starts the tray app when you log in. Services keep running either way."
                : availability.reason()));
        launchAtLoginNote.setText(model.launchAtLoginDetail());

        for (NotificationType type : NotificationType.values()) {
            CheckBox box = new CheckBox(type.label());
            box.setId("notify-" + type.name());
            box.selectedProperty().bindBidirectional(model.notificationProperty(type));
            notificationBoxes.getChildren().add(box);
        }

        content.disableProperty().bind(model.loadedProperty().not());
        saveButton.disableProperty().bind(model.dirtyProperty().not().or(model.busyProperty()));
        saveButton.setOnAction(e -> model.save());
        StatusView.bind(status, model.statusProperty());
    }
}

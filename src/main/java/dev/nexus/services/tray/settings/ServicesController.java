package dev.nexus.services.tray.settings;

import java.util.function.Function;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/** Binds ServicesTab.fxml to a {@link ServicesViewModel}: each cell shows a control bound to its row. */
public final class ServicesController {
    private static final String AUTOSTART_TIP = "Start this service whenever the engine starts (it must be enabled). "
            + "Turning it on starts it now; turning it off stops it now.";

    private final ServicesViewModel model;

    @FXML Label intro;
    @FXML VBox problemsBox;
    @FXML Label problemsText;
    @FXML HBox gatewayBox;
    @FXML RadioButton gatewayLocal;
    @FXML RadioButton gatewayRemote;
    @FXML TextField gatewayUrl;
    @FXML Label gatewayUrlError;
    @FXML TableView<ServiceRow> table;
    @FXML TableColumn<ServiceRow, ServiceRow> serviceColumn;
    @FXML TableColumn<ServiceRow, ServiceRow> enabledColumn;
    @FXML TableColumn<ServiceRow, ServiceRow> autostartColumn;
    @FXML TableColumn<ServiceRow, ServiceRow> managerColumn;
    @FXML TableColumn<ServiceRow, ServiceRow> livenessColumn;
    @FXML Label autostartNote;
    @FXML Label engineNote;
    @FXML Label status;
    @FXML Button reloadButton;
    @FXML Button saveButton;

    public ServicesController(ServicesViewModel model) {
        this.model = model;
    }

    @FXML
    void initialize() {
        intro.setText("Which services the engine runs, and how. Saving writes services.json, keeping everything "
                + "else in it as it is, and the engine applies it at once.");
        intro.setTooltip(new Tooltip(model.file().toString()));
        problemsText.textProperty().bind(Bindings.createStringBinding(
                () -> String.join("\n", model.fileProblems()), model.fileProblems()));
        problemsBox.visibleProperty().bind(model.fileOkProperty().not().and(model.loadedProperty()));
        problemsBox.managedProperty().bind(problemsBox.visibleProperty());
        engineNote.textProperty().bind(model.engineNoteProperty());
        engineNote.visibleProperty().bind(model.engineNoteProperty().isNotEmpty());
        engineNote.managedProperty().bind(engineNote.visibleProperty());

        bindGatewayMode(model.gatewayMode());
        table.setItems(model.rows());
        table.setPlaceholder(new Label("No services"));
        model.fileOkProperty().addListener((obs, was, ok) -> table.setPlaceholder(new Label(ok ? "No services"
                : "services.json cannot be read; see the problems above.")));
        table.disableProperty().bind(model.busyProperty());
        for (TableColumn<ServiceRow, ServiceRow> c : java.util.List.of(serviceColumn, enabledColumn, autostartColumn,
                managerColumn, livenessColumn)) {
            c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue()));
        }
        serviceColumn.setCellFactory(c -> new BoundCell(this::serviceCell, Pos.CENTER_LEFT));
        enabledColumn.setCellFactory(c -> new BoundCell(this::enabledCell, Pos.CENTER));
        autostartColumn.setCellFactory(c -> new BoundCell(this::autostartCell, Pos.CENTER));
        managerColumn.setCellFactory(c -> new BoundCell(this::managerCell, Pos.CENTER_LEFT));
        livenessColumn.setCellFactory(c -> new BoundCell(this::livenessCell, Pos.CENTER_LEFT));

        reloadButton.disableProperty().bind(model.busyProperty());
        reloadButton.setOnAction(e -> model.load());
        saveButton.disableProperty().bind(model.dirtyProperty().not().or(model.busyProperty())
                .or(model.fileOkProperty().not()));
        saveButton.setOnAction(e -> model.save());
        StatusView.bind(status, model.statusProperty());
    }

    private void bindGatewayMode(GatewayModeEditor gateway) {
        ToggleGroup modes = new ToggleGroup();
        gatewayLocal.setToggleGroup(modes);
        gatewayRemote.setToggleGroup(modes);
        gatewayRemote.selectedProperty().bindBidirectional(gateway.remoteProperty());
        gatewayLocal.setSelected(!gateway.remoteProperty().get());
        gateway.remoteProperty().addListener((obs, was, remote) -> gatewayLocal.setSelected(!remote));
        gatewayLocal.setTooltip(new Tooltip("gateway.mode local: the engine runs the gateway here and supervises it"));
        gatewayRemote.setTooltip(new Tooltip("gateway.mode remote: no local gateway; the engine keeps a session to "
                + "the gateway at this URL"));
        gatewayUrl.textProperty().bindBidirectional(gateway.urlProperty());
        gatewayUrl.disableProperty().bind(gateway.remoteProperty().not());
        gatewayBox.visibleProperty().bind(gateway.availableProperty().and(model.fileOkProperty()));
        gatewayBox.managedProperty().bind(gatewayBox.visibleProperty());
        gatewayBox.disableProperty().bind(model.busyProperty());
        gatewayUrlError.textProperty().bind(gateway.urlErrorProperty());
        gatewayUrlError.visibleProperty().bind(gateway.urlErrorProperty().isNotNull()
                .and(gatewayUrl.textProperty().isNotEmpty()));
        gatewayUrlError.managedProperty().bind(gatewayUrlError.visibleProperty());
    }

    private Bound serviceCell(ServiceRow row) {
        Label name = new Label(row.displayName());
        name.getStyleClass().add("service-name");
        Label edited = new Label("edited");
        edited.getStyleClass().add("badge");
        edited.visibleProperty().bind(row.changedProperty());
        Label detail = new Label(row.name() + " · " + row.kind().id());
        detail.getStyleClass().add("hint");
        HBox top = new HBox(6, name, edited);
        top.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(1, top, detail);
        return new Bound(box, edited.visibleProperty()::unbind);
    }

    private Bound enabledCell(ServiceRow row) {
        CheckBox box = new CheckBox();
        box.setId("enabled-" + row.name());
        box.selectedProperty().bindBidirectional(row.enabledProperty());
        box.setTooltip(new Tooltip("Whether the engine runs " + row.displayName() + " at all"));
        return new Bound(box, () -> box.selectedProperty().unbindBidirectional(row.enabledProperty()));
    }

    private Bound autostartCell(ServiceRow row) {
        CheckBox box = new CheckBox();
        box.setId("autostart-" + row.name());
        box.selectedProperty().bindBidirectional(row.autostartProperty());
        if (row.autostartKnown()) {
            box.disableProperty().bind(row.enabledProperty().not());
            box.setTooltip(new Tooltip(AUTOSTART_TIP));
        } else {
            box.setDisable(true);
            box.setTooltip(new Tooltip(model.engineNoteProperty().get()));
        }
        return new Bound(box, () -> {
            box.selectedProperty().unbindBidirectional(row.autostartProperty());
            box.disableProperty().unbind();
        });
    }

    private Bound managerCell(ServiceRow row) {
        if (!row.managerApplies()) {
            return new Bound(hint("—", "A connection runs no local process, so nothing manages it."), () -> { });
        }
        ComboBox<ManagerOption> combo = new ComboBox<>();
        combo.setId("manager-" + row.name());
        combo.getItems().setAll(ManagerOption.all());
        combo.setCellFactory(list -> new ManagerCell(model, true));
        combo.setButtonCell(new ManagerCell(model, false));
        combo.setMaxWidth(Double.MAX_VALUE);
        combo.setValue(row.managerProperty().get());
        // One way each, so a refused choice (a manager not usable here) snaps back in the box too.
        ChangeListener<ManagerOption> fromRow = (obs, was, now) -> combo.setValue(now);
        row.managerProperty().addListener(fromRow);
        combo.valueProperty().addListener((obs, was, now) -> {
            row.managerProperty().set(now);
            if (row.managerProperty().get() != now) {
                Platform.runLater(() -> combo.setValue(row.managerProperty().get()));
            }
        });
        combo.setTooltip(new Tooltip("Who keeps " + row.displayName() + " running. Auto lets the engine pick; "
                + "an OS manager keeps it running while the engine is not. Only managers usable here can be picked."));
        return new Bound(combo, () -> row.managerProperty().removeListener(fromRow));
    }

    private Bound livenessCell(ServiceRow row) {
        if (!row.hasLiveness()) {
            return new Bound(hint("—", row.displayName() + " has no liveness probe."), () -> { });
        }
        TextField field = new TextField();
        field.setId("liveness-" + row.name());
        field.setPrefColumnCount(6);
        field.textProperty().bindBidirectional(row.livenessPeriodProperty());
        Tooltip tip = new Tooltip();
        field.setTooltip(tip);
        ChangeListener<String> onError = (obs, was, now) -> {
            field.getStyleClass().remove("invalid");
            if (now != null) {
                field.getStyleClass().add("invalid");
            }
            tip.setText(now != null ? now : "How often the liveness probe runs, e.g. 10s, 1m, 1h30m. "
                    + "Failing it repeatedly restarts the service.");
        };
        onError.changed(row.livenessErrorProperty(), null, row.livenessErrorProperty().get());
        row.livenessErrorProperty().addListener(onError);
        return new Bound(field, () -> {
            field.textProperty().unbindBidirectional(row.livenessPeriodProperty());
            row.livenessErrorProperty().removeListener(onError);
        });
    }

    private static Label hint(String text, String tooltip) {
        Label label = new Label(text);
        label.getStyleClass().add("hint");
        label.setTooltip(new Tooltip(tooltip));
        return label;
    }

    /** A control in a cell and how to undo its bindings when the cell shows another row. */
    private record Bound(Node node, Runnable unbind) {
    }

    private static final class BoundCell extends TableCell<ServiceRow, ServiceRow> {
        private final Function<ServiceRow, Bound> factory;
        private Bound current;

        BoundCell(Function<ServiceRow, Bound> factory, Pos alignment) {
            this.factory = factory;
            setAlignment(alignment);
        }

        @Override
        protected void updateItem(ServiceRow row, boolean empty) {
            super.updateItem(row, empty);
            if (current != null) {
                current.unbind().run();
                current = null;
            }
            if (empty || row == null) {
                setGraphic(null);
            } else {
                current = factory.apply(row);
                setGraphic(current.node());
            }
            setText(null);
        }
    }

    private static final class ManagerCell extends ListCell<ManagerOption> {
        private final ServicesViewModel model;
        /** In the list, managers not usable here are disabled and say why; the closed box just shows the value. */
        private final boolean inList;

        ManagerCell(ServicesViewModel model, boolean inList) {
            this.model = model;
            this.inList = inList;
        }

        @Override
        protected void updateItem(ManagerOption option, boolean empty) {
            super.updateItem(option, empty);
            if (empty || option == null) {
                setText(null);
                setDisable(false);
                setTooltip(null);
            } else {
                ManagerChoice choice = model.choice(option);
                setText(inList ? choice.text() : option.label());
                setDisable(inList && !choice.selectable());
                setTooltip(new Tooltip(choice.tooltip()));
            }
        }
    }
}

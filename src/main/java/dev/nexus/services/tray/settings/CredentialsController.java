package dev.nexus.services.tray.settings;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableValue;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * Binds CredentialsTab.fxml to a {@link CredentialsViewModel} and opens its windows: the add / edit dialog and
 * the delete confirmation. No logic of its own.
 */
public final class CredentialsController {
    private final CredentialsViewModel model;
    private final ZoneId zone = ZoneId.systemDefault();
    /** Open dialogs and confirmations, closed with the settings window so no value outlives it. */
    private final List<Stage> windows = new ArrayList<>();

    @FXML Label backendName;
    @FXML Label backendDescription;
    @FXML Label backendWarning;
    @FXML TableView<CredentialRow> table;
    @FXML TableColumn<CredentialRow, String> nameColumn;
    @FXML TableColumn<CredentialRow, String> backendColumn;
    @FXML TableColumn<CredentialRow, String> updatedColumn;
    @FXML TableColumn<CredentialRow, String> usedByColumn;
    @FXML Label catalogNote;
    @FXML HBox restartBox;
    @FXML Label restartText;
    @FXML Button restartButton;
    @FXML Button dismissRestartButton;
    @FXML Label status;
    @FXML Button reloadButton;
    @FXML Button deleteButton;
    @FXML Button editButton;
    @FXML Button addButton;

    public CredentialsController(CredentialsViewModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @FXML
    void initialize() {
        backendName.textProperty().bind(model.backendProperty());
        backendDescription.textProperty().bind(model.backendDescriptionProperty());
        Tooltip where = new Tooltip();
        where.textProperty().bind(model.whereProperty());
        backendDescription.setTooltip(where);
        backendName.setTooltip(where);
        showWhenNotEmpty(backendWarning, model.backendWarningProperty(), "!  ");
        showWhenNotEmpty(catalogNote, model.catalogNoteProperty(), "");

        SortedList<CredentialRow> sorted = new SortedList<>(model.rows());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.placeholderProperty().bind(Bindings.createObjectBinding(() -> new Label(model.readyProperty().get()
                ? "No credentials yet. Press Add… to store one, such as anthropic/default."
                : model.busyProperty().get() ? "" : "The credentials cannot be listed; the message below says why."),
                model.readyProperty(), model.busyProperty()));
        nameColumn.setCellValueFactory(cd -> text(cd.getValue().name().toString()));
        backendColumn.setCellValueFactory(cd -> text(cd.getValue().backendText()));
        updatedColumn.setCellValueFactory(cd -> text(cd.getValue().updatedText(zone)));
        usedByColumn.setCellValueFactory(cd -> text(cd.getValue().usedByText()));
        nameColumn.setCellFactory(c -> new RowCell(row -> {
            Label name = new Label(row.name().toString());
            name.getStyleClass().add("credential-name");
            return name;
        }));
        backendColumn.setCellFactory(c -> new RowCell(row -> {
            Label backend = new Label(row.stored() ? row.backendText() : "!  " + row.backendText());
            if (!row.stored()) {
                backend.getStyleClass().add("not-set");
                backend.setTooltip(new Tooltip(row.usedByText() + " refers to " + row.name()
                        + ", but it is not set. Select it and press Set… to store a value."));
            }
            return backend;
        }));
        updatedColumn.setCellFactory(c -> new RowCell(row -> new Label(row.updatedText(zone))));
        usedByColumn.setCellFactory(c -> new RowCell(row -> {
            Label users = new Label(row.usedByText());
            users.setTooltip(new Tooltip(row.usedBy().isEmpty() ? "No service in services.json refers to "
                    + row.name() : "Services whose environment refers to credential:" + row.name()));
            return users;
        }));
        table.setRowFactory(t -> {
            TableRow<CredentialRow> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2 && !row.isEmpty()) {
                    edit();
                }
            });
            return row;
        });

        var selected = table.getSelectionModel().selectedItemProperty();
        var unavailable = model.readyProperty().not().or(model.busyProperty());
        addButton.disableProperty().bind(unavailable);
        addButton.setOnAction(e -> add());
        editButton.disableProperty().bind(unavailable.or(selected.isNull()));
        editButton.textProperty().bind(Bindings.createStringBinding(
                () -> selected.get() != null && !selected.get().stored() ? "Set…" : "Edit…", selected));
        editButton.setOnAction(e -> edit());
        deleteButton.disableProperty().bind(unavailable.or(Bindings.createBooleanBinding(
                () -> selected.get() == null || !selected.get().stored(), selected)));
        deleteButton.setOnAction(e -> confirmDelete());
        reloadButton.disableProperty().bind(model.busyProperty());
        reloadButton.setOnAction(e -> model.load());

        var offer = model.restartOfferProperty();
        restartBox.visibleProperty().bind(offer.isNotNull());
        restartBox.managedProperty().bind(restartBox.visibleProperty());
        restartText.textProperty().bind(Bindings.createStringBinding(
                () -> offer.get() == null ? "" : offer.get().text(), offer));
        restartButton.textProperty().bind(Bindings.createStringBinding(
                () -> offer.get() == null ? "" : offer.get().buttonText(), offer));
        restartButton.disableProperty().bind(model.busyProperty());
        restartButton.setOnAction(e -> model.restartServices());
        dismissRestartButton.disableProperty().bind(model.busyProperty());
        dismissRestartButton.setOnAction(e -> model.dismissRestartOffer());
        StatusView.bind(status, model.statusProperty());
    }

    private void add() {
        open(model.add());
    }

    private void edit() {
        CredentialRow row = table.getSelectionModel().getSelectedItem();
        if (row != null && model.readyProperty().get() && !model.busyProperty().get()) {
            open(model.edit(row));
        }
    }

    private void open(CredentialEditor editor) {
        Stage dialog = CredentialDialogController.open(owner(), editor);
        track(dialog);
    }

    private void confirmDelete() {
        CredentialRow row = table.getSelectionModel().getSelectedItem();
        if (row == null || !row.stored()) {
            return;
        }
        ButtonType delete = new ButtonType("Delete", ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, model.deleteConsequences(row), ButtonType.CANCEL, delete);
        alert.initOwner(owner());
        alert.setTitle("Delete credential");
        alert.setHeaderText("Delete " + row.name() + "?");
        alert.getDialogPane().setId("deleteConfirmation");
        alert.getDialogPane().getStylesheets().addAll(table.getScene().getStylesheets());
        Button deleteButton = (Button) alert.getDialogPane().lookupButton(delete);
        deleteButton.setId("confirmDelete");
        // Deleting cannot be undone: Enter cancels, only a deliberate click deletes.
        deleteButton.setDefaultButton(false);
        ((Button) alert.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        alert.setOnHidden(e -> {
            if (alert.getResult() == delete) {
                model.delete(row);
            }
        });
        alert.show();
        track((Stage) alert.getDialogPane().getScene().getWindow());
    }

    private void track(Stage window) {
        windows.add(window);
        window.addEventHandler(javafx.stage.WindowEvent.WINDOW_HIDDEN, e -> windows.remove(window));
    }

    /** The settings window is closing: close what this tab opened (an open dialog forgets its value). */
    void closeWindows() {
        for (Stage window : List.copyOf(windows)) {
            window.close();
        }
        windows.clear();
    }

    private Window owner() {
        return table.getScene().getWindow();
    }

    private static ObservableValue<String> text(String value) {
        return new ReadOnlyObjectWrapper<>(value);
    }

    private static void showWhenNotEmpty(Label label, ObservableValue<String> text, String prefix) {
        label.textProperty().bind(Bindings.createStringBinding(
                () -> text.getValue() == null || text.getValue().isEmpty() ? "" : prefix + text.getValue(), text));
        label.visibleProperty().bind(Bindings.createBooleanBinding(
                () -> text.getValue() != null && !text.getValue().isEmpty(), text));
        label.managedProperty().bind(label.visibleProperty());
    }

    /** A cell that shows a node made from its whole row (the column's value is the text it sorts by). */
    private static final class RowCell extends TableCell<CredentialRow, String> {
        private final Function<CredentialRow, Label> factory;

        RowCell(Function<CredentialRow, Label> factory) {
            this.factory = factory;
            setAlignment(Pos.CENTER_LEFT);
        }

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            // By index: the row's own item may still be the previous one while its cells update.
            int index = getIndex();
            List<CredentialRow> items = getTableView() == null ? List.of() : getTableView().getItems();
            CredentialRow row = empty || index < 0 || index >= items.size() ? null : items.get(index);
            setText(null);
            setGraphic(row == null ? null : factory.apply(row));
        }
    }
}

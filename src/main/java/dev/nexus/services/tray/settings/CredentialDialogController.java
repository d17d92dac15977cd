package dev.nexus.services.tray.settings;

import java.util.List;
import java.util.Objects;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableValue;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * Binds CredentialDialog.fxml to a {@link CredentialEditor}: the value sits in a password field, swapped for a
 * plain one only while the user asked to see it. Closing the dialog, however it happens, clears the value.
 */
public final class CredentialDialogController {
    private final CredentialEditor editor;
    private Stage stage;

    @FXML Label title;
    @FXML Label hint;
    @FXML TextField nameField;
    @FXML Label nameError;
    @FXML Label usedBy;
    @FXML PasswordField valueField;
    @FXML TextField shownField;
    @FXML Button revealButton;
    @FXML Label valueError;
    @FXML Label status;
    @FXML Button cancelButton;
    @FXML Button saveButton;

    public CredentialDialogController(CredentialEditor editor) {
        this.editor = Objects.requireNonNull(editor, "editor");
    }

    /** Opens the dialog over {@code owner} (modal to it) and returns its stage. Call on the FX thread. */
    public static Stage open(Window owner, CredentialEditor editor) {
        CredentialDialogController controller = new CredentialDialogController(editor);
        Parent root = Fxml.load(CredentialsPage.class, "CredentialDialog.fxml", controller);
        Scene scene = new Scene(root);
        scene.getStylesheets().add(Objects.requireNonNull(CredentialsPage.class.getResource("settings.css"),
                "settings.css").toExternalForm());
        Stage stage = new Stage();
        stage.initOwner(owner);
        stage.initModality(Modality.WINDOW_MODAL);
        stage.setTitle(editor.title());
        stage.setScene(scene);
        controller.stage = stage;
        editor.doneProperty().addListener((obs, was, done) -> {
            if (done) {
                stage.close();
            }
        });
        stage.setOnHidden(e -> editor.close());
        // Errors, "used by" and the status come and go: grow (and shrink) the dialog with them so nothing is cut off.
        InvalidationListener refit = obs -> Platform.runLater(() -> {
            if (stage.isShowing()) {
                stage.sizeToScene();
            }
        });
        for (Label label : List.of(controller.nameError, controller.usedBy, controller.valueError, controller.status)) {
            label.visibleProperty().addListener(refit);
            label.textProperty().addListener(refit);
        }
        stage.show();
        (editor.nameEditable() ? controller.nameField : controller.valueField).requestFocus();
        return stage;
    }

    @FXML
    void initialize() {
        title.setText(editor.title());
        hint.setText(editor.hint());
        nameField.textProperty().bindBidirectional(editor.nameProperty());
        if (!editor.nameEditable()) {
            nameField.setEditable(false);
            nameField.setFocusTraversable(false);
            nameField.getStyleClass().add("fixed");
            nameField.setTooltip(new Tooltip("The name of a stored credential cannot change: add one under the new "
                    + "name, then delete this one."));
        }
        showWhenNotEmpty(nameError, editor.nameErrorProperty());
        showWhenNotEmpty(usedBy, Bindings.createStringBinding(() -> usedByText(editor.usedBy()), editor.nameProperty(),
                editor.nameErrorProperty()));

        valueField.textProperty().bindBidirectional(editor.valueProperty());
        shownField.textProperty().bindBidirectional(editor.valueProperty());
        valueField.setPromptText(editor.mode() == CredentialEditor.Mode.EDIT ? "unchanged until you type a new value" : "");
        valueField.visibleProperty().bind(editor.revealedProperty().not());
        shownField.visibleProperty().bind(editor.revealedProperty());
        revealButton.textProperty().bind(Bindings.when(editor.revealedProperty()).then("Hide").otherwise("Show"));
        revealButton.setTooltip(new Tooltip(editor.mode() == CredentialEditor.Mode.EDIT
                ? "Show the value; with nothing typed, reads the stored one" : "Show what you typed"));
        revealButton.disableProperty().bind(editor.busyProperty());
        revealButton.setOnAction(e -> editor.toggleReveal().thenRun(() -> {
            TextField visible = editor.revealedProperty().get() ? shownField : valueField;
            visible.requestFocus();
            visible.end();
        }));
        showWhenNotEmpty(valueError, editor.valueErrorProperty());

        saveButton.setText(editor.saveLabel());
        saveButton.disableProperty().bind(editor.busyProperty());
        saveButton.setOnAction(e -> editor.save());
        cancelButton.setOnAction(e -> {
            if (stage != null) {
                stage.close();
            }
        });
        StatusView.bind(status, editor.statusProperty());
    }

    private static String usedByText(List<String> services) {
        return services.isEmpty() ? "" : "Used by " + CredentialsViewModel.join(services) + ".";
    }

    private static void showWhenNotEmpty(Label label, ObservableValue<String> text) {
        label.textProperty().bind(text);
        label.visibleProperty().bind(Bindings.createBooleanBinding(
                () -> text.getValue() != null && !text.getValue().isEmpty(), text));
        label.managedProperty().bind(label.visibleProperty());
    }
}

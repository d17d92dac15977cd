package dev.nexus.services.tray;

import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.tray.model.MenuModel;
import dev.nexus.services.tray.model.Notice;
import dev.nexus.services.tray.model.TraySummary;
import dev.nexus.services.tray.model.TrayViewModel;
import dev.nexus.services.tray.popover.PopoverActions;
import dev.nexus.services.tray.popover.PopoverContent;
import dev.nexus.services.tray.popover.StatusImages;
import java.util.function.Supplier;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Screen;
import javafx.stage.Stage;

/**
 * Where the desktop has no tray: a small ordinary window with the popover's content and a first line
 * that says why, and how to get a tray. Notifications appear inside it. Closing it quits the tray app
 * (services keep running). JavaFX thread only.
 */
public final class DashboardController implements TrayController {
    private final Stage stage;
    private final PopoverContent content;
    private final VBox notices = new VBox(6);
    private final Supplier<TrayCallbacks> callbacks;
    private DisplayStatus shownStatus;

    public DashboardController(TrayViewModel model, PopoverActions actions, Supplier<TrayCallbacks> callbacks,
                               String why) {
        this.callbacks = callbacks;
        stage = new Stage();
        stage.setTitle("Nexus Services");
        content = new PopoverContent(model, actions, Screen.getPrimary().getOutputScaleX());
        Label reason = new Label(why);
        reason.setId("no-tray-reason");
        reason.setWrapText(true);
        reason.getStyleClass().add("why");
        notices.setId("notices");
        content.getChildren().add(0, reason);
        content.getChildren().add(1, notices);
        stage.setScene(new Scene(content));
        stage.setOnCloseRequest(e -> actions.quit());
        stage.setOnShown(e -> content.setTicking(true));
        stage.setOnHidden(e -> content.setTicking(false));
    }

    public Stage stage() {
        return stage;
    }

    /** Shows the window (or brings it forward). */
    public void show() {
        stage.show();
        stage.toFront();
        content.refresh();
    }

    @Override
    public String kind() {
        return "dashboard";
    }

    @Override
    public void update(TraySummary summary, MenuModel menu) {
        if (summary.status() != shownStatus) {
            stage.getIcons().setAll(StatusImages.icon(summary.status(), 32), StatusImages.icon(summary.status(), 16));
            shownStatus = summary.status();
        }
        stage.setTitle(summary.tooltip().replaceFirst("^Nexus: ", "Nexus Services — "));
    }

    @Override
    public void notify(Notice notice) {
        Label title = new Label(notice.title());
        title.setStyle("-fx-font-weight: bold");
        Label text = new Label(notice.text());
        text.setWrapText(true);
        VBox texts = new VBox(2, title, text);
        HBox.setHgrow(texts, Priority.ALWAYS);
        HBox box = new HBox(6, texts);
        box.getStyleClass().add("notice");
        box.setAlignment(Pos.CENTER_LEFT);
        if (notice.offersCredential()) {
            Button set = new Button("Set credential…");
            set.setId("notice-set-credential");
            set.setOnAction(e -> {
                notices.getChildren().remove(box);
                callbacks.get().noticeClicked(notice);
            });
            box.getChildren().add(set);
        }
        Button dismiss = new Button("✕");
        dismiss.setAccessibleText("Dismiss");
        dismiss.setOnAction(e -> notices.getChildren().remove(box));
        box.getChildren().add(dismiss);
        notices.getChildren().add(0, box);
        while (notices.getChildren().size() > 3) {
            notices.getChildren().remove(notices.getChildren().size() - 1);
        }
        stage.sizeToScene();
    }

    @Override
    public void close() {
        stage.setOnCloseRequest(null);
        stage.hide();
    }
}

package dev.nexus.services.tray.popover;

import dev.nexus.services.tray.model.LinkStatus;
import dev.nexus.services.tray.model.ServiceRow;
import dev.nexus.services.tray.model.TrayViewModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * What the popover and the dashboard window show: a header, banners for the link and engine errors,
 * one row per service, and the footer (Start all, Stop all, Settings…, Quit). Bound to the view model:
 * it redraws from it on every change and sends clicks to it.
 */
public final class PopoverContent extends VBox {
    static final String STYLESHEET = PopoverContent.class.getResource("popover.css").toExternalForm();

    private final TrayViewModel model;
    private final PopoverActions actions;
    private final double scale;
    private final Label summary = new Label();
    private final VBox banners = new VBox(6);
    private final VBox rows = new VBox(2);
    private final Map<String, ServiceRowView> rowViews = new HashMap<>();
    private final Button startAll = new Button("Start all");
    private final Button stopAll = new Button("Stop all");
    private final Timeline ticker;
    private boolean focusFirstRowWhenReady;

    public PopoverContent(TrayViewModel model, PopoverActions actions, double scale) {
        this.model = model;
        this.actions = actions;
        this.scale = scale;
        getStylesheets().add(STYLESHEET);
        getStyleClass().add("nexus-popover");
        setFillWidth(true);
        setPrefWidth(440);

        Label title = new Label("Nexus Services");
        title.getStyleClass().add("title");
        summary.getStyleClass().add("summary");
        summary.setId("summary");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox header = new HBox(8, title, spacer, summary);
        header.setAlignment(Pos.BASELINE_LEFT);

        banners.setId("banners");
        rows.setId("rows");

        startAll.setId("start-all");
        startAll.setOnAction(e -> model.startAll());
        stopAll.setId("stop-all");
        stopAll.setOnAction(e -> model.stopAll());
        Button settings = new Button("Settings…");
        settings.setId("settings");
        settings.setOnAction(e -> actions.openSettings());
        Button quit = new Button("Quit");
        quit.setId("quit");
        quit.setOnAction(e -> actions.quit());
        quit.setAccessibleHelp("Quits the tray; services keep running");
        Region footerSpacer = new Region();
        HBox.setHgrow(footerSpacer, Priority.ALWAYS);
        HBox footer = new HBox(startAll, stopAll, footerSpacer, settings, quit);
        footer.getStyleClass().add("footer");
        footer.setAlignment(Pos.CENTER_LEFT);

        getChildren().addAll(header, banners, rows, footer);
        addEventFilter(KeyEvent.KEY_PRESSED, this::arrowKeys);

        // Countdowns ("Restarting in 8 s") tick once a second, only while shown.
        ticker = new Timeline(new KeyFrame(Duration.seconds(1), e -> refresh()));
        ticker.setCycleCount(Timeline.INDEFINITE);
        model.addListener(this::refreshIfShown);
        refresh();
    }

    /** Starts or stops the one-second refresh for countdowns; the owner calls it on show and hide. */
    public void setTicking(boolean on) {
        if (on) {
            refresh();
            ticker.play();
        } else {
            ticker.stop();
        }
    }

    /** Focuses the first service's switch (or Start all when there is none). */
    public void focusFirst() {
        if (!rows.getChildren().isEmpty() && rows.getChildren().get(0) instanceof ServiceRowView first
                && !first.toggle().isDisabled()) {
            first.toggle().requestFocus();
            focusFirstRowWhenReady = false;
        } else {
            // Opened before the engine answered: the first row takes focus when it arrives.
            startAll.requestFocus();
            focusFirstRowWhenReady = true;
        }
    }

    private void refreshIfShown() {
        if (getScene() != null && getScene().getWindow() != null && getScene().getWindow().isShowing()) {
            refresh();
        }
    }

    public void refresh() {
        summary.setText(model.summary().tooltip().replaceFirst("^Nexus: ", ""));
        refreshBanners();
        refreshRows(model.rows());
        boolean connected = model.link().connected();
        startAll.setDisable(!connected || model.allPending());
        stopAll.setDisable(!connected || model.allPending());
        // Opened before the engine answered: JavaFX may have focused some other node meanwhile (Start
        // all was disabled), so the wish stands until the first row can take the focus.
        if (focusFirstRowWhenReady) {
            focusFirst();
        }
    }

    private void refreshBanners() {
        banners.getChildren().clear();
        LinkStatus link = model.link();
        if (!link.connected()) {
            Label text = new Label(link.describe(model.now()));
            text.setId("link-status");
            HBox box = new HBox(6, text);
            box.getStyleClass().add("banner");
            if (link.state() == LinkStatus.State.UNREACHABLE) {
                Hyperlink retry = new Hyperlink("Retry now");
                retry.setId("retry-engine");
                retry.setOnAction(e -> actions.retryEngine());
                box.getChildren().add(retry);
                if (link.error() != null) {
                    text.setTooltip(new javafx.scene.control.Tooltip(link.error()));
                }
            }
            box.setAlignment(Pos.CENTER_LEFT);
            banners.getChildren().add(box);
            if (link.error() != null) {
                Label why = new Label(link.error());
                why.setWrapText(true);
                why.getStyleClass().add("why");
                banners.getChildren().add(why);
            }
        }
        for (String note : model.engineNotes()) {
            Label text = new Label(note);
            text.setWrapText(true);
            HBox box = new HBox(text);
            box.getStyleClass().add("banner");
            banners.getChildren().add(box);
        }
        for (TrayViewModel.EngineError error : model.errors()) {
            Label text = new Label(error.text());
            text.setWrapText(true);
            text.setId("error-" + error.id());
            text.getStyleClass().add("engine-error");
            HBox.setHgrow(text, Priority.ALWAYS);
            text.setMaxWidth(Double.MAX_VALUE);
            Button dismiss = new Button("✕");
            dismiss.getStyleClass().add("icon-button");
            dismiss.setAccessibleText("Dismiss");
            dismiss.setOnAction(e -> model.dismissError(error.id()));
            HBox box = new HBox(6, text, dismiss);
            box.getStyleClass().addAll("banner", "error");
            box.setAlignment(Pos.CENTER_LEFT);
            banners.getChildren().add(box);
        }
        banners.setVisible(!banners.getChildren().isEmpty());
        banners.setManaged(!banners.getChildren().isEmpty());
    }

    private void refreshRows(List<ServiceRow> list) {
        if (list.isEmpty()) {
            Label none = new Label(model.link().connected() ? "No services in the catalog." : "");
            none.setId("no-services");
            rowViews.clear();
            rows.getChildren().setAll(none);
            return;
        }
        boolean sameOrder = list.size() == rows.getChildren().size();
        for (int i = 0; sameOrder && i < list.size(); i++) {
            sameOrder = rows.getChildren().get(i) instanceof ServiceRowView view
                    && view.service().equals(list.get(i).name());
        }
        if (!sameOrder) {
            // Reuse the views (focus stays where it was); only the order and membership change.
            rowViews.keySet().retainAll(list.stream().map(ServiceRow::name).toList());
            List<Node> ordered = list.stream().map(r -> (Node) rowViews.computeIfAbsent(r.name(),
                    n -> new ServiceRowView(n, model, actions, scale))).toList();
            rows.getChildren().setAll(ordered);
        }
        for (ServiceRow r : list) {
            rowViews.get(r.name()).update(r);
        }
    }

    /** Up and Down move between rows, keeping the column (switch, restart, logs) when possible. */
    private void arrowKeys(KeyEvent e) {
        if (e.getCode() != KeyCode.UP && e.getCode() != KeyCode.DOWN) {
            return;
        }
        List<Node> views = rows.getChildren().stream().filter(n -> n instanceof ServiceRowView).toList();
        for (int i = 0; i < views.size(); i++) {
            ServiceRowView view = (ServiceRowView) views.get(i);
            if (view.isFocusWithin()) {
                int next = e.getCode() == KeyCode.UP ? i - 1 : i + 1;
                if (next >= 0 && next < views.size()) {
                    ((ServiceRowView) views.get(next)).toggle().requestFocus();
                } else if (next >= views.size()) {
                    startAll.requestFocus();
                }
                e.consume();
                return;
            }
        }
    }
}

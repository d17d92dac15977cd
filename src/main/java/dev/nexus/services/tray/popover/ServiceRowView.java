package dev.nexus.services.tray.popover;

import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.tray.model.RowAction;
import dev.nexus.services.tray.model.ServiceRow;
import dev.nexus.services.tray.model.TrayViewModel;
import java.util.List;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * One service in the popover: badge, name, state text (with its fix, if any), a start/stop switch,
 * restart, logs; the gateway's sub-components below it when expanded. It only shows a
 * {@link ServiceRow} and forwards clicks: the state lives in the view model.
 */
final class ServiceRowView extends VBox {
    private final String service;
    private final TrayViewModel model;
    private final PopoverActions actions;
    private final double scale;
    private final ImageView badge = new ImageView();
    private final Label name = new Label();
    private final Label state = new Label();
    private final Hyperlink fix = new Hyperlink();
    private final ToggleButton toggle = new ToggleButton();
    private final Button restart = new Button("↻");
    private final Button logs = new Button("Logs");
    private final ToggleButton expand = new ToggleButton("▸");
    private final VBox children = new VBox();
    private final Tooltip detail = new Tooltip();
    private DisplayStatus shownStatus;
    private ServiceRow row;

    ServiceRowView(String service, TrayViewModel model, PopoverActions actions, double scale) {
        this.service = service;
        this.model = model;
        this.actions = actions;
        this.scale = scale;
        setId("row-" + service);

        badge.setFitWidth(14);
        badge.setFitHeight(14);
        badge.setId("badge-" + service);
        name.getStyleClass().add("service-name");
        state.getStyleClass().add("state-text");
        state.setId("state-" + service);
        state.setTooltip(detail);
        fix.setId("fix-" + service);
        fix.setOnAction(e -> onFix());
        HBox stateLine = new HBox(2, state, fix);
        stateLine.setAlignment(Pos.CENTER_LEFT);
        VBox texts = new VBox(1, name, stateLine);
        HBox.setHgrow(texts, Priority.ALWAYS);
        texts.setMaxWidth(Double.MAX_VALUE);

        toggle.getStyleClass().add("switch");
        toggle.setId("toggle-" + service);
        toggle.setOnAction(e -> {
            model.toggle(service);
            // The engine's events move the switch; until then it shows the truth, not the click.
            update(row);
        });
        restart.getStyleClass().add("icon-button");
        restart.setId("restart-" + service);
        restart.setTooltip(new Tooltip("Restart"));
        restart.setOnAction(e -> model.restart(service));
        logs.getStyleClass().add("icon-button");
        logs.setId("logs-" + service);
        logs.setOnAction(e -> actions.openLogs(service));
        expand.getStyleClass().add("icon-button");
        expand.setId("expand-" + service);
        expand.setOnAction(e -> showChildren(expand.isSelected()));
        expand.setFocusTraversable(true);

        for (javafx.scene.control.Control c : List.of(expand, toggle, restart, logs)) {
            c.setMinWidth(javafx.scene.control.Control.USE_PREF_SIZE); // the state text gives way, not the buttons
        }
        HBox line = new HBox(8, badge, texts, expand, toggle, restart, logs);
        line.setAlignment(Pos.CENTER_LEFT);
        line.getStyleClass().add("service-row");
        children.setId("children-" + service);
        showChildren(false);
        getChildren().addAll(line, children);
        focusWithinProperty().addListener((obs, was, is) -> {
            if (is) {
                line.getStyleClass().add("focused-row");
            } else {
                line.getStyleClass().remove("focused-row");
            }
        });
    }

    String service() {
        return service;
    }

    ToggleButton toggle() {
        return toggle;
    }

    void update(ServiceRow r) {
        this.row = r;
        if (r.status() != shownStatus) {
            badge.setImage(StatusImages.badge(r.status(), scale));
            shownStatus = r.status();
        }
        badge.setAccessibleText(r.status().label());
        name.setText(r.displayName());
        state.setText(r.text().summary());
        detail.setText(r.detail() == null || r.detail().isBlank() ? r.text().summary() : r.detail());
        RowAction action = r.text().action();
        fix.setVisible(action != null);
        fix.setManaged(action != null);
        fix.setText(action == null ? "" : "— " + action.label());
        fix.setDisable(action == RowAction.RETRY_NOW && !r.controlsEnabled());

        toggle.setSelected(r.running());
        toggle.setText(r.pending() ? "…" : r.running() ? "On" : "Off");
        toggle.setDisable(!r.controlsEnabled());
        toggle.setAccessibleText((r.running() ? "Stop " : "Start ") + r.displayName());
        restart.setDisable(!r.controlsEnabled() || !r.running());
        restart.setAccessibleText("Restart " + r.displayName());
        logs.setVisible(r.hasLogs());
        logs.setManaged(r.hasLogs());
        logs.setAccessibleText("Logs of " + r.displayName());

        boolean hasChildren = !r.children().isEmpty();
        expand.setVisible(hasChildren);
        expand.setManaged(hasChildren);
        expand.setAccessibleText("Show the parts of " + r.displayName());
        updateChildren(r.children());
    }

    private void updateChildren(List<ServiceRow.ChildRow> rows) {
        while (children.getChildren().size() > rows.size()) {
            children.getChildren().remove(children.getChildren().size() - 1);
        }
        for (int i = 0; i < rows.size(); i++) {
            ServiceRow.ChildRow c = rows.get(i);
            HBox box;
            if (i < children.getChildren().size()) {
                box = (HBox) children.getChildren().get(i);
            } else {
                box = new HBox(6, new ImageView(), new Label(), new Label());
                box.getStyleClass().add("child-row");
                box.setAlignment(Pos.CENTER_LEFT);
                ((ImageView) box.getChildren().get(0)).setFitWidth(11);
                ((ImageView) box.getChildren().get(0)).setFitHeight(11);
                children.getChildren().add(box);
            }
            box.setId("child-" + service + "-" + c.name());
            ((ImageView) box.getChildren().get(0)).setImage(StatusImages.badge(c.status(), scale));
            ((Label) box.getChildren().get(1)).setText(c.displayName());
            ((Label) box.getChildren().get(2)).setText(c.text());
        }
        if (rows.isEmpty()) {
            showChildren(false);
        }
    }

    private void showChildren(boolean show) {
        expand.setSelected(show);
        expand.setText(show ? "▾" : "▸");
        children.setVisible(show);
        children.setManaged(show);
    }

    private void onFix() {
        if (row == null || row.text().action() == null) {
            return;
        }
        switch (row.text().action()) {
            case RETRY_NOW -> model.restart(service);
            case SET_CREDENTIAL -> actions.openSettings();
        }
    }
}

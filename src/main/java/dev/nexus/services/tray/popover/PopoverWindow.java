package dev.nexus.services.tray.popover;

import dev.nexus.services.tray.Anchor;
import dev.nexus.services.tray.model.TrayViewModel;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.StageStyle;

/**
 * The popover: an undecorated window next to the tray icon with {@link PopoverContent}. Closes on Esc
 * and when it loses focus (after having had it: some desktops give focus late). JavaFX thread only.
 */
public final class PopoverWindow {
    /** Space between the icon and the popover. */
    static final double GAP = 8;

    private final Stage stage;
    private final PopoverContent content;
    private boolean hadFocus;

    public PopoverWindow(TrayViewModel model, PopoverActions actions) {
        stage = new Stage(StageStyle.UNDECORATED);
        stage.setTitle("Nexus Services");
        stage.setAlwaysOnTop(true);
        double scale = Screen.getPrimary().getOutputScaleX();
        content = new PopoverContent(model, actions, scale);
        Scene scene = new Scene(content);
        scene.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                hide();
                e.consume();
            }
        });
        stage.setScene(scene);
        stage.focusedProperty().addListener((obs, was, is) -> {
            if (is) {
                hadFocus = true;
            } else if (hadFocus && stage.isShowing()) {
                hide();
            }
        });
    }

    public Stage stage() {
        return stage;
    }

    public PopoverContent content() {
        return content;
    }

    public boolean isShowing() {
        return stage.isShowing();
    }

    /** Opens near the anchor, or closes when open (a second click on the icon closes it). */
    public void toggle(Anchor anchor) {
        if (stage.isShowing()) {
            hide();
        } else {
            show(anchor);
        }
    }

    /** Opens (or brings forward) near the anchor; null places it in the corner where trays usually are. */
    public void show(Anchor anchor) {
        hadFocus = false;
        content.setTicking(true);
        if (!stage.isShowing()) {
            stage.setOpacity(0); // placed before it is seen: its size is known only once shown
            stage.show();
        }
        stage.sizeToScene();
        place(anchor);
        stage.setOpacity(1);
        stage.toFront();
        stage.requestFocus();
        content.focusFirst();
    }

    public void hide() {
        content.setTicking(false);
        stage.hide();
    }

    private void place(Anchor anchor) {
        double w = stage.getWidth();
        double h = stage.getHeight();
        Screen screen = anchor == null ? Screen.getPrimary()
                : Screen.getScreensForRectangle(anchor.x(), anchor.y(), 1, 1).stream().findFirst()
                        .orElse(Screen.getPrimary());
        Rectangle2D area = screen.getVisualBounds();
        double x;
        double y;
        if (anchor == null) {
            x = area.getMaxX() - w - GAP;
            y = area.getMinY() + GAP;
        } else {
            x = anchor.x() - w / 2;
            // Below an icon in the upper half of the screen (a top panel), above one in the lower half.
            boolean top = anchor.y() < screen.getBounds().getMinY() + screen.getBounds().getHeight() / 2;
            y = top ? anchor.y() + GAP * 2 : anchor.y() - h - GAP * 2;
        }
        stage.setX(clamp(x, area.getMinX() + GAP, area.getMaxX() - w - GAP));
        stage.setY(clamp(y, area.getMinY() + GAP, area.getMaxY() - h - GAP));
    }

    private static double clamp(double v, double min, double max) {
        return max < min ? min : Math.max(min, Math.min(max, v));
    }
}

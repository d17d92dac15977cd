package dev.nexus.services.tray.popover;

import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.tray.icon.IconRenderer;
import java.awt.image.BufferedImage;
import java.util.EnumMap;
import java.util.Map;
import javafx.scene.image.Image;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;

/** The status badges as JavaFX images, drawn once per size and scale. Used on the JavaFX thread only. */
public final class StatusImages {
    private static final Map<DisplayStatus, Image> BADGES = new EnumMap<>(DisplayStatus.class);
    private static double badgeScale;

    private StatusImages() {
    }

    /** The 14-point badge for a status, at the given output scale. */
    public static Image badge(DisplayStatus status, double scale) {
        if (scale != badgeScale) {
            BADGES.clear();
            badgeScale = scale;
        }
        return BADGES.computeIfAbsent(status, s -> toFx(IconRenderer.renderBadge(s, 14, scale)));
    }

    /** The full icon, for window icons. */
    public static Image icon(DisplayStatus status, int size) {
        return toFx(IconRenderer.render(status, size, 1, IconRenderer.Variant.COLOUR));
    }

    /** Copies the ARGB pixels across; no javafx-swing needed. */
    public static Image toFx(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        WritableImage fx = new WritableImage(w, h);
        fx.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        return fx;
    }
}

package dev.nexus.services.tray.icon;

import dev.nexus.services.health.DisplayStatus;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BaseMultiResolutionImage;
import java.awt.image.BufferedImage;
import java.util.EnumMap;
import java.util.Map;

/**
 * Draws the tray icon at run time: a base glyph (a rounded tile with an "N" cut out) and a status badge
 * in its lower right corner. The badge differs by shape AND colour: ✔ healthy (green circle), … starting
 * (blue circle with three dots), ! degraded (yellow triangle), ✖ down (red diamond), ■ stopped (grey
 * square), ? unknown (grey circle). Marks are cut out of the badge, and a gap is cut between badge and
 * tile, so the template variant (one colour plus alpha, for macOS) reads as well as the coloured one.
 *
 * <p>Every size is drawn directly in device pixels (never scaled from another size), with coordinates
 * rounded to whole pixels where edges meet, so 16 px stays crisp. Works in a headless JVM.
 */
public final class IconRenderer {
    /** The sizes tray hosts ask for; each is also drawn at 2× for HiDPI. */
    public static final int[] SIZES = {16, 22, 24, 32, 48};

    public enum Variant {
        /** Coloured badge on a slate tile: Windows, Linux. */
        COLOUR,
        /** Black plus alpha only: macOS tints it for light and dark menu bars. */
        TEMPLATE
    }

    private static final Color TILE = new Color(0x3E, 0x4C, 0x66);
    private static final Map<DisplayStatus, Color> COLOURS = new EnumMap<>(Map.of(
            DisplayStatus.HEALTHY, new Color(0x2E, 0x9E, 0x4F),
            DisplayStatus.STARTING, new Color(0x2F, 0x7B, 0xD8),
            DisplayStatus.DEGRADED, new Color(0xE6, 0xAC, 0x00),
            DisplayStatus.DOWN, new Color(0xD9, 0x34, 0x34),
            DisplayStatus.STOPPED, new Color(0x86, 0x8C, 0x96),
            DisplayStatus.UNKNOWN, new Color(0x86, 0x8C, 0x96)));

    private IconRenderer() {
    }

    /** The status colour, also used for the popover's status dots. */
    public static Color colour(DisplayStatus status) {
        return COLOURS.get(status);
    }

    /**
     * The full icon: {@code size × scale} device pixels square.
     *
     * @param size  logical size in points (16, 22, 24, 32, 48, or any size from 12 up)
     * @param scale device pixels per point (1, 1.25, 2, ...)
     */
    public static BufferedImage render(DisplayStatus status, int size, double scale, Variant variant) {
        int px = devicePixels(size, scale);
        BufferedImage image = new BufferedImage(px, px, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            quality(g);
            double u = px / 16.0; // one unit of the 16-point design grid
            Color ink = variant == Variant.TEMPLATE ? Color.BLACK : TILE;
            Color badgeColour = variant == Variant.TEMPLATE ? Color.BLACK : colour(status);

            // Tile with the N cut out.
            double inset = Math.max(0, Math.round(0.5 * u));
            g.setColor(ink);
            g.fill(new RoundRectangle2D.Double(inset, inset, px - 2 * inset, px - 2 * inset, 5 * u, 5 * u));
            g.setComposite(AlphaComposite.Clear);
            g.setStroke(new BasicStroke((float) Math.max(1.3, 1.7 * u), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D n = new Path2D.Double();
            n.moveTo(3.6 * u, 11.4 * u);
            n.lineTo(3.6 * u, 3.6 * u);
            n.lineTo(10.0 * u, 11.4 * u);
            n.lineTo(10.0 * u, 3.6 * u);
            g.draw(n);

            // Badge box: lower right, half the icon, on whole pixels.
            double b = Math.round(8.4 * u);
            double x = px - b;
            double y = px - b;
            Shape badge = badgeShape(status, x, y, b);
            double gap = Math.max(1, Math.round(0.9 * u));
            g.setStroke(new BasicStroke((float) (2 * gap), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(badge); // the gap between badge and tile
            g.fill(badge);
            g.setComposite(AlphaComposite.SrcOver);
            g.setColor(badgeColour);
            g.fill(badge);
            g.setComposite(AlphaComposite.Clear);
            drawMark(g, status, x, y, b);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The badge alone, for status dots in windows. */
    public static BufferedImage renderBadge(DisplayStatus status, int size, double scale) {
        int px = devicePixels(size, scale);
        BufferedImage image = new BufferedImage(px, px, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            quality(g);
            g.setColor(colour(status));
            g.fill(badgeShape(status, 0, 0, px));
            g.setComposite(AlphaComposite.Clear);
            drawMark(g, status, 0, 0, px);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** 1× and 2× in one image: AWT picks the one that matches the screen. */
    public static Image multiResolution(DisplayStatus status, int size, Variant variant) {
        return new BaseMultiResolutionImage(render(status, size, 1, variant), render(status, size, 2, variant));
    }

    static int devicePixels(int size, double scale) {
        if (size < 12 || scale <= 0) {
            throw new IllegalArgumentException("icon size must be at least 12 points at a positive scale, got "
                    + size + " at " + scale);
        }
        return (int) Math.round(size * scale);
    }

    private static void quality(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    }

    private static Shape badgeShape(DisplayStatus status, double x, double y, double b) {
        return switch (status) {
            case HEALTHY, STARTING, UNKNOWN -> new Ellipse2D.Double(x, y, b, b);
            case DEGRADED -> {
                Path2D p = new Path2D.Double();
                p.moveTo(x + b / 2, y);
                p.lineTo(x + b, y + b);
                p.lineTo(x, y + b);
                p.closePath();
                yield p;
            }
            case DOWN -> {
                Path2D p = new Path2D.Double();
                p.moveTo(x + b / 2, y);
                p.lineTo(x + b, y + b / 2);
                p.lineTo(x + b / 2, y + b);
                p.lineTo(x, y + b / 2);
                p.closePath();
                yield p;
            }
            case STOPPED -> new Rectangle2D.Double(x + 0.08 * b, y + 0.08 * b, 0.84 * b, 0.84 * b);
        };
    }

    /** Cuts the mark out of the badge (the graphics is in Clear mode). */
    private static void drawMark(Graphics2D g, DisplayStatus status, double x, double y, double b) {
        float stroke = (float) Math.max(1.1, b * 0.14);
        g.setStroke(new BasicStroke(stroke, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        switch (status) {
            case HEALTHY -> {
                Path2D p = new Path2D.Double();
                p.moveTo(x + 0.27 * b, y + 0.52 * b);
                p.lineTo(x + 0.44 * b, y + 0.69 * b);
                p.lineTo(x + 0.74 * b, y + 0.34 * b);
                g.draw(p);
            }
            case STARTING -> {
                double d = Math.max(1.3, b * 0.17);
                for (double cx : new double[] {0.24, 0.5, 0.76}) {
                    g.fill(new Ellipse2D.Double(x + cx * b - d / 2, y + 0.5 * b - d / 2, d, d));
                }
            }
            case DEGRADED -> {
                g.draw(new java.awt.geom.Line2D.Double(x + 0.5 * b, y + 0.40 * b, x + 0.5 * b, y + 0.66 * b));
                double d = stroke * 1.05;
                g.fill(new Ellipse2D.Double(x + 0.5 * b - d / 2, y + 0.84 * b - d / 2, d, d));
            }
            case DOWN -> {
                g.draw(new java.awt.geom.Line2D.Double(x + 0.37 * b, y + 0.37 * b, x + 0.63 * b, y + 0.63 * b));
                g.draw(new java.awt.geom.Line2D.Double(x + 0.63 * b, y + 0.37 * b, x + 0.37 * b, y + 0.63 * b));
            }
            case STOPPED -> {
                // The square is the mark.
            }
            case UNKNOWN -> {
                Path2D p = new Path2D.Double();
                p.moveTo(x + 0.36 * b, y + 0.38 * b);
                p.curveTo(x + 0.36 * b, y + 0.18 * b, x + 0.66 * b, y + 0.18 * b, x + 0.64 * b, y + 0.38 * b);
                p.curveTo(x + 0.62 * b, y + 0.50 * b, x + 0.5 * b, y + 0.50 * b, x + 0.5 * b, y + 0.62 * b);
                g.draw(p);
                double d = stroke * 1.05;
                g.fill(new Ellipse2D.Double(x + 0.5 * b - d / 2, y + 0.82 * b - d / 2, d, d));
            }
        }
    }
}

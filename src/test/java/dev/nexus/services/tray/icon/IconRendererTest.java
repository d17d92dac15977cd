package dev.nexus.services.tray.icon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.health.DisplayStatus;
import java.awt.Color;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.awt.image.MultiResolutionImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class IconRendererTest {
    @Test
    void everySizeAndScaleIsDrawnAtItsDevicePixelSize() {
        for (int size : IconRenderer.SIZES) {
            for (double scale : new double[] {1, 1.25, 2}) {
                BufferedImage image = IconRenderer.render(DisplayStatus.HEALTHY, size, scale, IconRenderer.Variant.COLOUR);
                int expected = (int) Math.round(size * scale);
                assertEquals(expected, image.getWidth());
                assertEquals(expected, image.getHeight());
                assertTrue(opaquePixels(image) > expected * expected / 3, "drawn, not empty, at " + size + "@" + scale);
                // Transparent corners: the tile is rounded and the badge is not square in the corner.
                assertEquals(0, alpha(image, 0, 0), "top left corner at " + size + "@" + scale);
            }
        }
    }

    @Test
    void badgesDifferInShapeNotOnlyColourAtEverySize() {
        for (int size : IconRenderer.SIZES) {
            for (double scale : new double[] {1, 2}) {
                List<DisplayStatus> all = List.of(DisplayStatus.values());
                for (int i = 0; i < all.size(); i++) {
                    for (int j = i + 1; j < all.size(); j++) {
                        boolean[] a = mask(IconRenderer.render(all.get(i), size, scale, IconRenderer.Variant.COLOUR));
                        boolean[] b = mask(IconRenderer.render(all.get(j), size, scale, IconRenderer.Variant.COLOUR));
                        int differing = 0;
                        for (int p = 0; p < a.length; p++) {
                            differing += a[p] != b[p] ? 1 : 0;
                        }
                        // A few pixels at 16 px, proportionally more when larger: a visible difference.
                        int needed = Math.max(4, (int) (size * scale * size * scale / 60));
                        assertTrue(differing >= needed, all.get(i) + " and " + all.get(j) + " differ in only "
                                + differing + " pixels of their alpha mask at " + size + "@" + scale);
                    }
                }
            }
        }
    }

    @Test
    void badgeCarriesTheStatusColour() {
        for (DisplayStatus s : DisplayStatus.values()) {
            BufferedImage image = IconRenderer.render(s, 32, 1, IconRenderer.Variant.COLOUR);
            Color want = IconRenderer.colour(s);
            // The badge's edge, away from its cut-out mark: left middle of the badge box.
            int count = 0;
            for (int y = 18; y < 32; y++) {
                for (int x = 17; x < 32; x++) {
                    int argb = image.getRGB(x, y);
                    if ((argb >>> 24) == 255 && new Color(argb).equals(want)) {
                        count++;
                    }
                }
            }
            assertTrue(count > 20, s + " badge has " + count + " pixels of its colour");
        }
    }

    @Test
    void templateVariantIsOneColourWithAlphaAndKeepsTheShapes() {
        for (DisplayStatus s : DisplayStatus.values()) {
            BufferedImage image = IconRenderer.render(s, 22, 2, IconRenderer.Variant.TEMPLATE);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int argb = image.getRGB(x, y);
                    if ((argb >>> 24) != 0) {
                        assertEquals(0, argb & 0xFFFFFF, s + ": template pixel " + x + "," + y + " is not black");
                    }
                }
            }
        }
        boolean[] healthy = mask(IconRenderer.render(DisplayStatus.HEALTHY, 22, 2, IconRenderer.Variant.TEMPLATE));
        boolean[] down = mask(IconRenderer.render(DisplayStatus.DOWN, 22, 2, IconRenderer.Variant.TEMPLATE));
        int differing = 0;
        for (int p = 0; p < healthy.length; p++) {
            differing += healthy[p] != down[p] ? 1 : 0;
        }
        assertTrue(differing > 40, "template badges differ by shape: " + differing);
    }

    @Test
    void multiResolutionHoldsOneAndTwoTimes() {
        Image image = IconRenderer.multiResolution(DisplayStatus.DOWN, 24, IconRenderer.Variant.COLOUR);
        List<Image> variants = ((MultiResolutionImage) image).getResolutionVariants();
        assertEquals(List.of(24, 48), variants.stream().map(v -> v.getWidth(null)).toList());
    }

    @Test
    void theStandaloneBadgeMatchesItsStatus() {
        BufferedImage stopped = IconRenderer.renderBadge(DisplayStatus.STOPPED, 14, 2);
        assertEquals(28, stopped.getWidth());
        assertEquals(IconRenderer.colour(DisplayStatus.STOPPED), new Color(stopped.getRGB(14, 14)));
        BufferedImage healthy = IconRenderer.renderBadge(DisplayStatus.HEALTHY, 14, 2);
        assertEquals(0, alpha(healthy, 0, 0), "a circle leaves the corner empty; the square does not");
        assertTrue(alpha(stopped, 3, 3) > 200);
    }

    @Test
    void tooSmallSizesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> IconRenderer.render(DisplayStatus.HEALTHY, 8, 1, IconRenderer.Variant.COLOUR));
    }

    private static int alpha(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) >>> 24;
    }

    private static int opaquePixels(BufferedImage image) {
        int n = 0;
        for (boolean b : mask(image)) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** Which pixels are mostly opaque: the shape, whatever the colour. */
    private static boolean[] mask(BufferedImage image) {
        boolean[] m = new boolean[image.getWidth() * image.getHeight()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                m[y * image.getWidth() + x] = alpha(image, x, y) >= 128;
            }
        }
        return m;
    }
}

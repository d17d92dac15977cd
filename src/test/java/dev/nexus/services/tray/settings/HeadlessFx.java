package dev.nexus.services.tray.settings;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import javafx.scene.Scene;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Headless JavaFX for window tests: Monocle's headless platform with the software pipeline, set up in code so
 * the tests need no build flags; and screenshots of a scene as PNG (no javafx-swing: pixels are copied).
 */
public final class HeadlessFx {
    private HeadlessFx() {
    }

    /** Starts the FX toolkit headless, once per JVM (later calls only check it runs). */
    public static synchronized void start() throws TimeoutException {
        System.setProperty("testfx.robot", "glass");
        System.setProperty("testfx.headless", "true");
        System.setProperty("prism.order", "sw");
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("java.awt.headless", "true");
        FxToolkit.registerPrimaryStage();
    }

    /** The build directory (target/ unless the build says otherwise), where screenshots go. */
    public static Path buildDir() {
        return Path.of(System.getProperty("nexus.buildDir", "target"));
    }

    /** Renders {@code scene} on the FX thread and writes it as a PNG. */
    public static Path screenshot(Scene scene, String name) throws Exception {
        WritableImage image = WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get();
        int width = (int) image.getWidth();
        int height = (int) image.getHeight();
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        PixelReader pixels = image.getPixelReader();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out.setRGB(x, y, pixels.getArgb(x, y));
            }
        }
        Path file = buildDir().resolve("screenshots").resolve(name + ".png");
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(out, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
        return file;
    }
}

import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.tray.icon.IconRenderer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Renders the installers' application icon from the tray's own icon code (IconRenderer: the tile with
 * the "N" and the healthy badge), so the app icon and the tray icon are the same drawing. Each size is
 * drawn at that size, not scaled. Writes nexus-services-SIZE.png for the Linux hicolor sizes and the
 * macOS iconset (1024 is for the iconset only) and nexus-services.ico (PNG-compressed entries) for Windows.
 *
 * <p>Run after `mvn package` (it needs target/classes): installers/icons/render
 */
public final class RenderIcons {
    static final int[] PNG_SIZES = {16, 22, 24, 32, 48, 64, 128, 256, 512, 1024};
    static final int[] ICO_SIZES = {16, 24, 32, 48, 64, 128, 256};

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: RenderIcons OUTPUT_DIR");
        }
        Path out = Files.createDirectories(Path.of(args[0]));
        for (int size : PNG_SIZES) {
            Files.write(out.resolve("nexus-services-" + size + ".png"), png(size));
        }
        List<byte[]> entries = new ArrayList<>();
        for (int size : ICO_SIZES) {
            entries.add(png(size));
        }
        Files.write(out.resolve("nexus-services.ico"), ico(ICO_SIZES, entries));
    }

    static byte[] png(int size) throws IOException {
        BufferedImage image = IconRenderer.render(DisplayStatus.HEALTHY, size, 1, IconRenderer.Variant.COLOUR);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer in this JDK");
        }
        return bytes.toByteArray();
    }

    /** ICONDIR + one ICONDIRENTRY per image + the PNG data (Windows Vista and later read PNG entries). */
    static byte[] ico(int[] sizes, List<byte[]> pngs) {
        int offset = 6 + 16 * sizes.length;
        int total = offset + pngs.stream().mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0).putShort((short) 1).putShort((short) sizes.length);
        for (int i = 0; i < sizes.length; i++) {
            int side = sizes[i] >= 256 ? 0 : sizes[i]; // 0 means 256 in an ICONDIRENTRY
            b.put((byte) side).put((byte) side).put((byte) 0).put((byte) 0);
            b.putShort((short) 1).putShort((short) 32).putInt(pngs.get(i).length).putInt(offset);
            offset += pngs.get(i).length;
        }
        pngs.forEach(b::put);
        return b.array();
    }
}

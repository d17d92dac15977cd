package dev.nexus.services.tray;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * A private X server (Xvfb) with a tray host (trayer) docked at the top right, and the X tools the
 * display test drives it with: xdotool to find windows and click, ImageMagick's import to capture.
 * Starts on a free display number and stops everything it started.
 */
public final class XSession implements AutoCloseable {
    /** The Debian packages behind the commands, for the message when one is missing. */
    public static final List<String> COMMANDS = List.of("Xvfb:xvfb", "trayer:trayer", "xdotool:xdotool",
            "xwininfo:x11-utils", "import:imagemagick");
    static final int WIDTH = 1280;
    static final int HEIGHT = 800;

    public final String display;
    private final Process xvfb;
    private final Process trayer;

    private XSession(String display, Process xvfb, Process trayer) {
        this.display = display;
        this.xvfb = xvfb;
        this.trayer = trayer;
    }

    /** The commands that are missing here, as "command (package)". */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String pair : COMMANDS) {
            String command = pair.substring(0, pair.indexOf(':'));
            if (which(command).isEmpty()) {
                missing.add(command + " (" + pair.substring(pair.indexOf(':') + 1) + ")");
            }
        }
        return missing;
    }

    public static XSession start(Path logDir) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        for (int n = 90; n < 190; n++) {
            if (Files.exists(Path.of("/tmp/.X" + n + "-lock")) || Files.exists(Path.of("/tmp/.X11-unix/X" + n))) {
                continue;
            }
            String display = ":" + n;
            Process xvfb = new ProcessBuilder("Xvfb", display, "-screen", "0", WIDTH + "x" + HEIGHT + "x24",
                    "-nolisten", "tcp",
                    // Without it the server resets when its last client (our readiness check) leaves,
                    // and a client connecting during the reset gets "cannot open display".
                    "-noreset")
                    .redirectErrorStream(true).redirectOutput(logDir.resolve("xvfb.log").toFile()).start();
            if (!waitFor(() -> xvfb.isAlive() && quietly(display, "xwininfo", "-root"), Duration.ofSeconds(10))) {
                xvfb.destroy();
                continue; // lost a race for this display number
            }
            // trayer: a system tray host (XEmbed), 24 px high at the top right, like a desktop panel.
            ProcessBuilder trayerCommand = new ProcessBuilder("trayer", "--edge", "top", "--align", "right",
                    "--widthtype", "request", "--height", "24", "--SetDockType", "true", "--transparent", "false")
                    .redirectErrorStream(true).redirectOutput(logDir.resolve("trayer.log").toFile());
            trayerCommand.environment().put("DISPLAY", display);
            XSession session = new XSession(display, xvfb, trayerCommand.start());
            if (!waitFor(() -> session.run("xdotool", "search", "--name", "^panel$").isPresent(), Duration.ofSeconds(10))) {
                session.close();
                throw new IOException("trayer did not show its panel on " + display + " (see " + logDir + ")");
            }
            return session;
        }
        throw new IOException("no free X display number between :90 and :189");
    }

    /** Runs an X tool on this display; its output, or empty when it failed. */
    public Optional<String> run(String... command) {
        return runOn(display, command);
    }

    /** The first window whose name matches (xdotool search --name). */
    public Optional<String> window(String nameRegex) {
        return run("xdotool", "search", "--name", nameRegex).map(out -> out.lines().findFirst().orElse(""))
                .filter(s -> !s.isBlank());
    }

    /** x, y, width, height of a window on the screen. */
    public int[] geometry(String window) throws IOException {
        String out = run("xdotool", "getwindowgeometry", "--shell", window)
                .orElseThrow(() -> new IOException("no geometry for window " + window));
        int[] g = new int[4];
        for (String line : out.lines().toList()) {
            String[] kv = line.split("=");
            switch (kv[0]) {
                case "X" -> g[0] = Integer.parseInt(kv[1]);
                case "Y" -> g[1] = Integer.parseInt(kv[1]);
                case "WIDTH" -> g[2] = Integer.parseInt(kv[1]);
                case "HEIGHT" -> g[3] = Integer.parseInt(kv[1]);
                default -> { }
            }
        }
        return g;
    }

    public void click(int x, int y) throws IOException {
        run("xdotool", "mousemove", String.valueOf(x), String.valueOf(y), "click", "1")
                .orElseThrow(() -> new IOException("xdotool could not click at " + x + "," + y));
    }

    /** The whole screen, or one window, as an image (ImageMagick import). */
    public BufferedImage capture(String window) throws IOException {
        byte[] png = capturePng(window);
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    public byte[] capturePng(String window) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("import", "-window", window == null ? "root" : window, "png:-");
        pb.environment().put("DISPLAY", display);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0 || bytes.length == 0) {
                throw new IOException("import -window " + window + " failed on " + display);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return bytes;
    }

    /** Sets DISPLAY for a process about to start. */
    public ProcessBuilder on(ProcessBuilder pb) {
        pb.environment().put("DISPLAY", display);
        // The product's fixture services must never become units of the developer's own systemd user manager.
        pb.environment().put("NEXUS_MANAGERS", "embedded");
        return pb;
    }

    @Override
    public void close() {
        stop(trayer);
        stop(xvfb);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Optional<String> runOn(String display, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("DISPLAY", display);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static boolean quietly(String display, String... command) {
        return runOn(display, command).isPresent();
    }

    private static Optional<String> which(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return Optional.of(dir + "/" + command);
            }
        }
        return Optional.empty();
    }

    public static boolean waitFor(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }
}

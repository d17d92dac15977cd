package dev.nexus.services.tray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.icon.IconRenderer;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tray on a real X display: Xvfb with trayer as the tray host, the real launcher and jar, a real
 * daemon supervising real fixture services. The icon docks, a click on it opens the popover, a click on
 * a switch stops a service, and the icon changes. Screenshots go to target/tray-display/.
 */
class TrayDisplayIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private final Path home = Path.of(System.getProperty("nexus.home", "."));
    private final Path out = Path.of(System.getProperty("nexus.buildDir", "target")).resolve("tray-display");

    @Test
    void theIconDocksOpensThePopoverAndASwitchStopsARealService() throws Exception {
        List<String> missing = XSession.missing();
        if (!missing.isEmpty()) {
            String message = "the display test needs " + missing + " (scripts/test installs them)";
            if (System.getenv("CI") != null) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        NexusPaths paths = new NexusPaths(root);
        writeCatalog(paths);
        try (XSession x = XSession.start(out)) {
            assertTrue(cli(paths, x, "up").exitValue() <= 1, "up ran");
            Process tray = null;
            try {
                long launched = System.nanoTime();
                ProcessBuilder launch = x.on(new ProcessBuilder(home.resolve("bin/nexus-services").toString(), "tray"))
                        .redirectErrorStream(true).redirectOutput(out.resolve("tray.out").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                launch.environment().put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
                tray = launch.start();
                String icon = await("the icon docks in trayer", () -> x.window("^JavaEmbeddedFrame$"));
                long dockedMs = (System.nanoTime() - launched) / 1_000_000;
                System.out.println("tray display test: icon docked " + dockedMs + " ms after launch");

                // Gateway healthy, cloud degraded (its readiness probe fails): the icon shows degraded.
                await("the icon shows degraded", () -> pixels(x, icon, DisplayStatus.DEGRADED) > 4
                        ? Optional.of(true) : Optional.empty());
                int[] iconAt = x.geometry(icon);
                x.click(iconAt[0] + iconAt[2] / 2, iconAt[1] + iconAt[3] / 2);
                // It opens next to the icon, at the top right (placed once its size is known).
                int[] box = await("the popover opens next to the icon", () -> x.run("xdotool", "search",
                        "--onlyvisible", "--name", "^Nexus Services$")
                        .flatMap(s -> s.lines().findFirst()).flatMap(w -> {
                            try {
                                int[] g = x.geometry(w);
                                return g[0] > XSession.WIDTH / 2 && g[1] < XSession.HEIGHT / 2 ? Optional.of(g)
                                        : Optional.empty();
                            } catch (IOException e) {
                                return Optional.empty();
                            }
                        }));
                List<int[]> switches = await("both switches drawn on", () -> {
                    List<int[]> found = switchesOn(x, box);
                    return found.size() == 2 ? Optional.of(found) : Optional.empty();
                });
                BufferedImage before = x.capture(null);
                ImageIO.write(before, "png", out.resolve("screenshot-popover.png").toFile());

                long cloudPid = status(paths, x).path("cloud").path("pid").asLong();
                assertTrue(cloudPid > 0, "cloud runs");
                int[] cloudSwitch = switches.get(1);
                x.click(cloudSwitch[0], cloudSwitch[1]);

                await("cloud stopped", () -> "STOPPED".equals(status(paths, x).path("cloud").path("lifecycle").asText())
                        ? Optional.of(true) : Optional.empty());
                await("the cloud fixture process is gone", () -> ProcessHandle.of(cloudPid)
                        .map(ProcessHandle::isAlive).orElse(false) ? Optional.empty() : Optional.of(true));
                assertEquals("RUNNING", status(paths, x).path("gateway").path("lifecycle").asText());
                await("the icon turns healthy", () -> pixels(x, icon, DisplayStatus.HEALTHY) > 4
                        && pixels(x, icon, DisplayStatus.DEGRADED) == 0 ? Optional.of(true) : Optional.empty());
                ImageIO.write(x.capture(null), "png", out.resolve("screenshot-after-stop.png").toFile());
            } finally {
                try {
                    x.run("xwininfo", "-root", "-tree").ifPresent(t -> writeQuietly(out.resolve("windows.txt"), t));
                    ImageIO.write(x.capture(null), "png", out.resolve("last.png").toFile()); // what the end looked like
                } catch (IOException e) {
                    System.out.println("tray display test: no last screenshot: " + e.getMessage());
                }
                if (tray != null) {
                    tray.destroy();
                    tray.waitFor(10, TimeUnit.SECONDS);
                }
                cli(paths, x, "down");
                cli(paths, x, "daemon", "stop");
            }
        }
    }

    private static void writeQuietly(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            System.out.println("tray display test: cannot write " + file + ": " + e.getMessage());
        }
    }

    /** gateway: healthy with two children; cloud: runs but its readiness probe fails; collab: disabled. */
    private void writeCatalog(NexusPaths paths) throws IOException {
        ServiceSpec gateway = LiveEngine.daemon(paths, "gateway", "Gateway", "bridge", "canvas");
        ServiceSpec cloud = LiveEngine.daemon(paths, "cloud", "Nexus Cloud");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ProbeSpec readiness = new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", closedPort), Duration.ZERO,
                Duration.ofMillis(300), Duration.ofMillis(300), 2, 1);
        cloud = new ServiceSpec(cloud.name(), cloud.displayName(), cloud.kind(), true, cloud.command(),
                cloud.workingDir(), cloud.env(), cloud.manager(), cloud.dependsOn(), cloud.port(),
                new Probes(cloud.probes().startup(), cloud.probes().liveness(), readiness), cloud.restart(),
                cloud.stopTimeout(), cloud.log(), cloud.children(), null, null);
        ServiceSpec collab = LiveEngine.daemon(paths, "collab", "Nexus Collab").withEnabled(false);
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), new CatalogCodec(paths).write(new Catalog(Catalog.CURRENT_VERSION,
                List.of(gateway, cloud, collab)), null), StandardCharsets.UTF_8);
    }

    /** Each switch that is on (green, wider than a badge) inside the box: its centre, top to bottom. */
    private static List<int[]> switchesOn(XSession x, int[] box) {
        BufferedImage screen;
        try {
            screen = x.capture(null);
        } catch (IOException e) {
            return List.of();
        }
        int green = IconRenderer.colour(DisplayStatus.HEALTHY).getRGB() & 0xFFFFFF;
        List<int[]> found = new ArrayList<>();
        int lastY = -100;
        for (int y = box[1]; y < Math.min(box[1] + box[3], screen.getHeight()); y++) {
            int run = 0;
            for (int px = box[0]; px < Math.min(box[0] + box[2], screen.getWidth()); px++) {
                run = (screen.getRGB(px, y) & 0xFFFFFF) == green ? run + 1 : 0;
                if (run == 24 && y - lastY > 24) { // one hit per switch: its top edge
                    found.add(new int[] {px - 8, y + 6});
                    lastY = y;
                }
            }
        }
        return found;
    }

    private static int pixels(XSession x, String window, DisplayStatus status) {
        try {
            BufferedImage image = x.capture(window);
            int want = IconRenderer.colour(status).getRGB() & 0xFFFFFF;
            int n = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int px = 0; px < image.getWidth(); px++) {
                    n += (image.getRGB(px, y) & 0xFFFFFF) == want ? 1 : 0;
                }
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Services by name from {@code status --json}, through the real CLI and engine. */
    private JsonNode status(NexusPaths paths, XSession x) {
        try {
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/nexus-services").toString(), "status", "--json")
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
            Process p = pb.start();
            JsonNode all = Json.MAPPER.readTree(p.getInputStream());
            p.waitFor(20, TimeUnit.SECONDS);
            var byName = Json.MAPPER.createObjectNode();
            all.path("services").forEach(s -> byName.set(s.path("name").asText(), s));
            return byName;
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Json.MAPPER.createObjectNode();
        }
    }

    private Process cli(NexusPaths paths, XSession x, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/nexus-services").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("cli.out").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("nexus-services " + String.join(" ", args) + " did not finish");
        }
        return p;
    }

    private static <T> T await(String what, java.util.function.Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(100);
        }
        fail("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
        return null;
    }
}

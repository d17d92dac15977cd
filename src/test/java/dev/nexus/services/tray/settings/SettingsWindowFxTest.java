package dev.nexus.services.tray.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.NexusDefaults;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.ControlServer;
import dev.nexus.services.control.EngineControlHandler;
import dev.nexus.services.engine.Engine;
import dev.nexus.services.engine.EngineOptions;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.EngineCommands;
import dev.nexus.services.tray.TrayPreferencesStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The settings window, headless, against a real engine in a temp NEXUS_ROOT reached over a real control
 * socket. The gateway runs as a real (sleeping) process, so autostart reflects what the engine really has up.
 */
class SettingsWindowFxTest {
    private static final long WAIT_SECONDS = 15;

    @TempDir
    Path tmp;
    private NexusPaths paths;
    private Engine engine;
    private ControlServer server;
    private ControlClient client;
    private SettingsWindow window;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void headless() throws Exception {
        HeadlessFx.start();
    }

    @BeforeEach
    void startEngine() throws Exception {
        paths = new NexusPaths(tmp.resolve("nexus"));
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), new CatalogCodec(paths).write(catalog(paths), null));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        engine = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(7), env));
        engine.start(List.of("gateway")).get(WAIT_SECONDS, TimeUnit.SECONDS);
        server = new ControlServer(paths.controlSocket(), new EngineControlHandler(engine, () -> { }));
        server.start();
        client = ControlClient.connect(paths.controlSocket(), Duration.ofSeconds(5));
        EngineCommands commands = (op, args) -> CompletableFuture.supplyAsync(() -> {
            try {
                return client.call(op, args, Duration.ofMinutes(1));
            } catch (ControlException | IOException e) {
                throw new CompletionException(e);
            }
        });
        // No XDG_CONFIG_HOME: the autostart entry would go under the temp "home", never the real one.
        HostEnvironment host = new HostEnvironment("Linux", Map.of(), tmp.resolve("home"),
                Optional.of(Path.of("/opt/nexus-services/bin/nexus-services")));
        window = new SettingsWindow(paths, commands, new TrayPreferencesStore(paths), host, SettingsWindow.PAGES);
        robot.interact(() -> window.show());
    }

    @AfterEach
    void stopAll() throws Exception {
        robot.interact(() -> {
            if (window.stage() != null) {
                window.stage().close();
            }
        });
        client.close();
        server.close();
        engine.down().get(WAIT_SECONDS, TimeUnit.SECONDS);
        engine.close();
    }

    /** The Nexus defaults, with a gateway that is a real process needing no port: `sleep`, checked by pid. */
    private static Catalog catalog(NexusPaths paths) {
        List<ServiceSpec> services = new ArrayList<>(NexusDefaults.catalog(paths).services());
        ServiceSpec g = services.get(0);
        services.set(0, new ServiceSpec(g.name(), g.displayName(), g.kind(), true, List.of("sleep", "600"),
                g.workingDir(), g.env(), g.manager(), g.dependsOn(), null,
                new Probes(null, ProbeSpec.liveness(new ProbeCheck.ProcessAlive()), null), g.restart(), g.stopTimeout(),
                g.log(), List.of(), null, null));
        return new Catalog(Catalog.CURRENT_VERSION, services);
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(WAIT_SECONDS, TimeUnit.SECONDS, condition);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("timed out waiting until " + what, e);
        }
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    private ServiceSnapshot gatewayInEngine() {
        return engine.snapshot().services().stream().filter(s -> s.name().equals("gateway")).findFirst().orElseThrow();
    }

    @Test
    void turningANotificationOffAndPressingEnterSavesTrayJson() throws Exception {
        await("the General tab is loaded", () -> !robot.lookup("#notify-CRASH_LOOP").queryAs(CheckBox.class)
                .isDisabled());
        HeadlessFx.screenshot(window.stage().getScene(), "settings-general");
        javafx.stage.Stage first = window.stage();
        robot.interact(() -> window.show());
        assertTrue(first == window.stage() && first.isShowing(), "a second show() brings the same window forward");
        CheckBox crashLoop = robot.lookup("#notify-CRASH_LOOP").queryAs(CheckBox.class);
        assertEquals("A service is in a crash loop", crashLoop.getText());
        assertTrue(crashLoop.isSelected());

        robot.clickOn(crashLoop);
        assertFalse(crashLoop.isSelected());
        robot.type(KeyCode.ENTER);

        Path trayJson = new TrayPreferencesStore(paths).file();
        await("tray.json says crash-loop notifications are off", () -> Files.exists(trayJson)
                && !Json.MAPPER.readTree(Files.readString(trayJson)).path("notifications").path("crashLoop").asBoolean(true));
        JsonNode saved = Json.MAPPER.readTree(Files.readString(trayJson));
        assertTrue(saved.path("notifications").path("down").asBoolean(false), saved.toString());
        await("the save is reported", () -> text("#generalStatus").contains("Settings saved."));

        robot.type(KeyCode.ESCAPE);
        await("Esc closes the window", () -> window.stage() == null);
    }

    @Test
    void setCredentialOpensTheWindowOnTheCredentialsTab() {
        robot.interact(() -> window.show(CredentialsPage.TITLE));
        javafx.scene.control.TabPane tabs = (javafx.scene.control.TabPane) window.stage().getScene().getRoot();
        assertEquals("tab-credentials", tabs.getSelectionModel().getSelectedItem().getId());
    }

    @Test
    void disablingAServiceSavesServicesJsonAndTheRealEngineReloadsIt() throws Exception {
        robot.clickOn("#tab-services");
        await("the services are listed", () -> robot.lookup("#enabled-cloud").tryQuery().isPresent());
        assertTrue(robot.lookup("#autostart-gateway").queryAs(CheckBox.class).isSelected(),
                "the engine has the gateway up");
        assertFalse(robot.lookup("#autostart-cloud").queryAs(CheckBox.class).isSelected());
        robot.clickOn("#enabled-cloud");
        robot.clickOn("#servicesSave");

        await("the engine's reply is shown", () -> text("#servicesStatus").contains("the engine reloaded it"));
        assertEquals("✔  Saved services.json; the engine reloaded it (4 services).", text("#servicesStatus"));
        assertFalse(new CatalogStore(paths, new CatalogCodec(paths)).load().catalog().find("cloud").orElseThrow().enabled());
        assertFalse(engine.catalog().find("cloud").orElseThrow().enabled(), "the running engine has the new catalog");
        assertTrue(engine.catalog().find("gateway").orElseThrow().enabled());
        HeadlessFx.screenshot(window.stage().getScene(), "settings-services");
    }

    @Test
    void turningAutostartOffStopsTheServiceInTheEngine() throws Exception {
        robot.clickOn("#tab-services");
        await("the services are listed", () -> robot.lookup("#autostart-gateway").tryQuery().isPresent());
        assertEquals(Lifecycle.RUNNING, gatewayInEngine().lifecycle());

        robot.clickOn("#autostart-gateway");
        robot.type(KeyCode.ENTER);

        await("the engine stopped the gateway", () -> gatewayInEngine().lifecycle() == Lifecycle.STOPPED);
        await("the stop is reported", () -> text("#servicesStatus").contains("Stopped gateway (stopped)."));
        assertTrue(new CatalogStore(paths, new CatalogCodec(paths)).load().catalog().find("gateway").orElseThrow()
                .enabled(), "autostart off keeps the service enabled");
    }

    @Test
    void switchingTheGatewayToRemoteMakesItAConnectionInTheRealEngine() throws Exception {
        robot.clickOn("#tab-services");
        await("the services are listed", () -> robot.lookup("#gatewayRemote").tryQuery().isPresent());
        robot.clickOn("#gatewayRemote");
        await("the URL field opens", () -> !robot.lookup("#gatewayUrl").queryAs(javafx.scene.control.TextField.class)
                .isDisabled());
        robot.clickOn("#gatewayUrl").write("ws://127.0.0.1:9/");
        robot.clickOn("#servicesSave");

        await("the engine reloaded", () -> text("#servicesStatus").contains("the engine reloaded it"));
        assertEquals(dev.nexus.services.catalog.ServiceKind.CONNECTION,
                engine.catalog().find("gateway").orElseThrow().kind(), "the running engine has a remote gateway");
        assertEquals(java.net.URI.create("ws://127.0.0.1:9/"), new CatalogStore(paths, new CatalogCodec(paths)).load()
                .catalog().find("gateway").orElseThrow().url());
    }
}

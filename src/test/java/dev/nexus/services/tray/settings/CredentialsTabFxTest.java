package dev.nexus.services.tray.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.control.ControlServer;
import dev.nexus.services.control.EngineControlHandler;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.EncryptedFileStore;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.engine.Engine;
import dev.nexus.services.engine.EngineOptions;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.EngineCommands;
import dev.nexus.services.tray.TrayPreferencesStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Credentials tab, headless, with real clicks and typing: the settings window as the app opens it (no session
 * bus, so the real credential facade picks the encrypted file in a temp NEXUS_ROOT), and a real engine over a real
 * control socket whose gateway is a fixture process that prints a digest of ANTHROPIC_API_KEY.
 */
class CredentialsTabFxTest {
    private static final long WAIT_SECONDS = 15;
    private static final CredentialName ANTHROPIC = CredentialName.parse("anthropic/default");
    private static final String SECRET = "sk-ant-7Qx2";
    private static final String NEWER = "sk-ant-9Kz4";

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
    void startEngineAndOpenTheTab() throws Exception {
        paths = new NexusPaths(tmp.resolve("nexus"));
        CredentialTestCatalogs.write(paths, CredentialTestCatalogs.referencing(paths, CredentialsTabFxTest::fixtureGateway));
        Map<String, String> env = new HashMap<>(System.getenv());
        // Engine and window both without a session bus: both use the encrypted file under the temp root.
        env.remove("DBUS_SESSION_BUS_ADDRESS");
        env.put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        engine = Engine.start(new EngineOptions(paths, Clock.systemUTC(), new SplittableRandom(7), env));
        engine.start(List.of("gateway")).get(WAIT_SECONDS, TimeUnit.SECONDS); // FAILED(credentials): nothing set yet
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
        HostEnvironment host = new HostEnvironment("Linux", Map.of(), tmp.resolve("home"), Optional.empty());
        window = new SettingsWindow(paths, commands, new TrayPreferencesStore(paths), host, SettingsWindow.PAGES);
        robot.interact(() -> window.show());
        robot.clickOn("#tab-credentials");
        await("the credentials are listed", () -> rowOf("anthropic/default") != null);
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

    /** The gateway as a fixture JVM that prints the digest of its ANTHROPIC_API_KEY, checked by pid. */
    private static ServiceSpec fixtureGateway(ServiceSpec s) {
        if (!s.name().equals("gateway")) {
            return s;
        }
        return new ServiceSpec(s.name(), s.displayName(), s.kind(), true,
                Fixtures.command("--print-env", "ANTHROPIC_API_KEY"), s.workingDir(), s.env(), s.manager(),
                s.dependsOn(), null, new Probes(null, ProbeSpec.liveness(new ProbeCheck.ProcessAlive()), null),
                s.restart(), s.stopTimeout(), s.log(), List.of(), null, null);
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

    /** Whether the node is on screen: it and every parent visible, in a window that shows. */
    private boolean showing(String query) {
        Optional<Node> found = robot.lookup(query).tryQuery();
        if (found.isEmpty() || found.get().getScene() == null || found.get().getScene().getWindow() == null
                || !found.get().getScene().getWindow().isShowing()) {
            return false;
        }
        for (Node n = found.get(); n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** The table row that shows {@code name}; null when there is none. */
    @SuppressWarnings("unchecked")
    private TableRow<CredentialRow> rowOf(String name) {
        for (Node node : robot.lookup(".table-row-cell").queryAll()) {
            TableRow<CredentialRow> row = (TableRow<CredentialRow>) node;
            if (row.getItem() != null && row.getItem().name().toString().equals(name) && row.isVisible()) {
                return row;
            }
        }
        return null;
    }

    /** What the row shows in its cells, left to right. */
    private static List<String> cells(TableRow<CredentialRow> row) {
        return row.lookupAll(".table-cell .label").stream().map(n -> ((Label) n).getText()).toList();
    }

    /** Selects the row of {@code name} with a click, once the table has settled after a change. */
    private void clickRow(String name) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        await(name + " is listed", () -> rowOf(name) != null);
        robot.clickOn(rowOf(name));
        await(name + " is selected", () -> robot.lookup("#credentialsTable").queryAs(TableView.class)
                .getSelectionModel().getSelectedItem() instanceof CredentialRow r && r.name().toString().equals(name));
    }

    private String stored(CredentialName name) throws Exception {
        return EncryptedFileStore.at(paths).read(name).map(Secret::reveal).orElse(null);
    }

    private ServiceSnapshot gatewayInEngine() {
        return engine.snapshot().services().stream().filter(s -> s.name().equals("gateway")).findFirst().orElseThrow();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private boolean dialogOpen() {
        return Window.getWindows().stream().anyMatch(w -> w.isShowing() && w.getScene() != null
                && w.getScene().lookup("#credentialSave") != null);
    }

    @Test
    void addingAnthropicDefaultThroughTheDialogStoresItAndTheRestartHandsItToTheGateway() throws Exception {
        assertEquals(EncryptedFileStore.ID, text("#credentialsBackend"));
        assertTrue(text("#credentialsBackendWarning").contains(EncryptedFileStore.PROTECTION));
        assertEquals(List.of("anthropic/default", "!  not set", "—", "gateway, cloud"), cells(rowOf("anthropic/default")));
        assertTrue(rowOf("anthropic/default").lookup(".not-set") != null, "a credential nobody set is flagged");

        robot.clickOn("#credentialsAdd");
        await("the dialog opens", this::dialogOpen);
        robot.clickOn("#credentialName").write("anthropic");
        await("a name without a profile is refused as you type", () -> showing("#credentialNameError")
                && text("#credentialNameError").contains("expected service/profile such as anthropic/default"));
        robot.write("/default");
        await("a good name clears it", () -> !showing("#credentialNameError"));
        assertEquals("Used by gateway and cloud.", text("#credentialUsedBy"));
        robot.clickOn("#credentialSave");
        await("an empty value is refused", () -> showing("#credentialValueError"));
        assertEquals(CredentialEditor.VALUE_REQUIRED, text("#credentialValueError"));
        assertTrue(dialogOpen());

        robot.clickOn("#credentialValue").write(SECRET);
        assertEquals(SECRET, robot.lookup("#credentialValue").queryAs(PasswordField.class).getText());
        assertFalse(showing("#credentialValueShown"), "the value is masked while typed");
        HeadlessFx.screenshot(robot.lookup("#credentialSave").query().getScene(), "settings-credential-dialog");
        robot.clickOn("#credentialSave");

        await("the dialog closes", () -> !dialogOpen());
        await("the table shows it stored", () -> rowOf("anthropic/default") != null
                && rowOf("anthropic/default").getItem().stored());
        List<String> shown = cells(rowOf("anthropic/default"));
        assertEquals(List.of("anthropic/default", EncryptedFileStore.ID), shown.subList(0, 2));
        assertEquals("gateway, cloud", shown.get(3));
        assertEquals(SECRET, stored(ANTHROPIC));
        assertEquals("✔  Saved anthropic/default in encrypted-file.", text("#credentialsStatus"));

        // The gateway could not start without it; the offer restarts it and leaves the stopped cloud alone.
        assertEquals(Lifecycle.FAILED, gatewayInEngine().lifecycle());
        assertEquals("Restart the services that use it", robot.lookup("#credentialsRestart").queryAs(Button.class).getText());
        Path png = HeadlessFx.screenshot(window.stage().getScene(), "settings-credentials");
        assertTrue(Files.size(png) > 10_000, png.toString());
        robot.clickOn("#credentialsRestart");
        await("the engine restarted the gateway", () -> text("#credentialsStatus").startsWith("✔  Restarted gateway ("));
        assertEquals(Lifecycle.RUNNING, gatewayInEngine().lifecycle());
        await("the gateway received the value", () -> Files.exists(paths.stdoutLog("gateway"))
                && Files.readString(paths.stdoutLog("gateway")).contains("ANTHROPIC_API_KEY sha256=" + sha256(SECRET)));
        assertFalse(showing("#credentialsRestart"), "the offer is gone once taken");
        assertEquals("✔  Restarted gateway (healthy). cloud is not running; it gets the new value when started.",
                text("#credentialsStatus"));
    }

    @Test
    void revealingEditingAndDeletingThroughTheDialogs() throws Exception {
        Credentials.open(paths, Map.of()).set(ANTHROPIC, Secret.of(SECRET));
        robot.clickOn("#credentialsReload");
        await("the stored credential is listed", () -> rowOf("anthropic/default").getItem().stored());

        // Reveal: the stored value appears only on a click, and is gone when the dialog closes.
        clickRow("anthropic/default");
        robot.clickOn("#credentialsEdit");
        await("the dialog opens", this::dialogOpen);
        TextField name = robot.lookup("#credentialName").queryAs(TextField.class);
        assertEquals("anthropic/default", name.getText());
        assertFalse(name.isEditable(), "the name of a stored credential is fixed");
        assertEquals("", robot.lookup("#credentialValue").queryAs(PasswordField.class).getText(),
                "nothing is read to open the dialog");
        robot.clickOn("#credentialReveal");
        await("the stored value is shown", () -> showing("#credentialValueShown")
                && SECRET.equals(robot.lookup("#credentialValueShown").queryAs(TextField.class).getText()));
        assertEquals("Hide", robot.lookup("#credentialReveal").queryAs(Button.class).getText());
        robot.clickOn("#credentialReveal");
        await("Hide masks it again", () -> showing("#credentialValue") && !showing("#credentialValueShown"));
        robot.clickOn("#credentialCancel");
        await("the dialog closes", () -> !dialogOpen());

        // Edit: a new value under the same name.
        clickRow("anthropic/default");
        robot.clickOn("#credentialsEdit");
        await("the dialog opens again", this::dialogOpen);
        assertEquals("", robot.lookup("#credentialValue").queryAs(PasswordField.class).getText(),
                "the value revealed before did not outlive its dialog");
        assertFalse(showing("#credentialValueShown"));
        robot.clickOn("#credentialValue").write(NEWER);
        robot.clickOn("#credentialSave");
        await("the dialog closes after saving", () -> !dialogOpen());
        await("the new value is stored", () -> NEWER.equals(stored(ANTHROPIC)));
        assertEquals("✔  Saved anthropic/default in encrypted-file.", text("#credentialsStatus"));

        // Delete: asks first, naming the services that will miss it.
        clickRow("anthropic/default");
        robot.clickOn("#credentialsDelete");
        await("the confirmation opens", () -> robot.lookup("#deleteConfirmation").tryQuery().isPresent());
        DialogPane confirmation = robot.lookup("#deleteConfirmation").queryAs(DialogPane.class);
        assertEquals("Delete anthropic/default?", confirmation.getHeaderText());
        assertEquals("The value is removed from encrypted-file and cannot be recovered. gateway and cloud use it and "
                + "will fail to start until it is set again.", confirmation.getContentText());
        robot.clickOn("#confirmDelete");
        await("the row is back to not set", () -> !rowOf("anthropic/default").getItem().stored());
        assertNull(stored(ANTHROPIC));
        assertEquals("✔  Deleted anthropic/default. gateway and cloud will fail to start until it is set again.",
                text("#credentialsStatus"));
        assertEquals("!  not set", cells(rowOf("anthropic/default")).get(1));
    }
}

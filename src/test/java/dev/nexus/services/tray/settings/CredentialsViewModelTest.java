package dev.nexus.services.tray.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.credentials.CredentialIndex;
import dev.nexus.services.credentials.CredentialInfo;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.EncryptedFileStore;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The Credentials tab's rules, without a display: a real encrypted-file store and index in a temp NEXUS_ROOT,
 * a real services.json whose gateway and cloud refer to credentials, and the engine as a recording double.
 * Every test also checks that no value it used reached a log line, a status text or a toString().
 */
class CredentialsViewModelTest {
    private static final CredentialName ANTHROPIC = CredentialName.parse("anthropic/default");
    private static final CredentialName CLOUD = CredentialName.parse("nexus-cloud/default");
    private static final CredentialName UNUSED = CredentialName.parse("gateway/token");
    private static final String SECRET = "sk-ant-api03-visible-only-on-request";
    private static final String NEWER = "sk-ant-api03-the-rotated-one";

    @TempDir
    Path tmp;
    private NexusPaths paths;
    private StepClock clock;
    private Credentials credentials;
    private final List<String> shown = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void setUp() throws Exception {
        paths = new NexusPaths(tmp);
        CredentialTestCatalogs.write(paths, CredentialTestCatalogs.referencing(paths, UnaryOperator.identity()));
        clock = new StepClock();
        credentials = Credentials.using(List.of(EncryptedFileStore.at(paths)), CredentialIndex.at(paths), clock);
        logged.start();
        rootLogger().addAppender(logged);
    }

    @AfterEach
    void noValueWasLoggedOrShown() {
        rootLogger().detachAppender(logged);
        for (ILoggingEvent event : logged.list) {
            shown.add(event.getFormattedMessage());
        }
        for (String text : shown) {
            assertFalse(text.contains(SECRET) || text.contains(NEWER), "a value leaked: " + text);
        }
    }

    private static Logger rootLogger() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private CredentialsViewModel model(RecordingEngineCommands engine) {
        CredentialsViewModel model = model(() -> credentials, engine, Runnable::run);
        model.load().join();
        return model;
    }

    /** Not loaded yet: the caller loads it, and runs {@code background} when it queues. */
    private CredentialsViewModel model(Supplier<Credentials> opener, RecordingEngineCommands engine, Executor background) {
        CredentialsViewModel model = new CredentialsViewModel(opener, new CatalogStore(paths, new CatalogCodec(paths)),
                engine, background, Runnable::run);
        model.statusProperty().addListener((obs, was, now) -> shown.add(now.text()));
        return model;
    }

    /** Every status the editor shows goes through the no-leak check too. */
    private CredentialEditor watched(CredentialEditor editor) {
        editor.statusProperty().addListener((obs, was, now) -> shown.add(now.text()));
        editor.nameErrorProperty().addListener((obs, was, now) -> shown.add(now));
        editor.valueErrorProperty().addListener((obs, was, now) -> shown.add(now));
        return editor;
    }

    private static CredentialRow row(CredentialsViewModel model, CredentialName name) {
        return model.rows().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not listed: " + model.rows()));
    }

    private String storedValue(CredentialName name) throws Exception {
        return EncryptedFileStore.at(paths).read(name).map(Secret::reveal).orElse(null);
    }

    private CredentialsViewModel withAnthropicAdded(RecordingEngineCommands engine) {
        CredentialsViewModel model = model(engine);
        CredentialEditor editor = watched(model.add());
        editor.nameProperty().set("anthropic/default");
        editor.valueProperty().set(SECRET);
        assertTrue(editor.save().join(), editor.statusProperty().get().text());
        return model;
    }

    @Test
    void listsStoredCredentialsAndTheOnesServicesUseButNobodySet() throws Exception {
        credentials.set(UNUSED, Secret.of("gateway-token"));
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());

        assertEquals(List.of(ANTHROPIC, UNUSED, CLOUD), model.rows().stream().map(CredentialRow::name).toList());
        CredentialRow anthropic = row(model, ANTHROPIC);
        assertFalse(anthropic.stored());
        assertEquals("not set", anthropic.backendText());
        assertEquals("—", anthropic.updatedText(ZoneOffset.UTC));
        assertEquals(List.of("gateway", "cloud"), anthropic.usedBy());
        assertEquals("gateway, cloud", anthropic.usedByText());
        assertEquals(List.of("cloud"), row(model, CLOUD).usedBy());
        CredentialRow unused = row(model, UNUSED);
        assertTrue(unused.stored());
        assertEquals(EncryptedFileStore.ID, unused.backendText());
        assertEquals("2025-05-01 10:00", unused.updatedText(ZoneOffset.UTC));
        assertEquals("—", unused.usedByText());

        assertTrue(model.readyProperty().get());
        assertEquals(StatusMessage.NONE, model.statusProperty().get());
        assertEquals(EncryptedFileStore.ID, model.backendProperty().get());
        String description = model.backendDescriptionProperty().get();
        assertTrue(description.startsWith("An encrypted file (" + tmp.resolve("state/credentials.enc")), description);
        assertFalse(description.contains(EncryptedFileStore.PROTECTION), "said once, in the warning: " + description);
        assertEquals("No OS keychain answered, so credentials are kept in this encrypted file, "
                + EncryptedFileStore.PROTECTION + ".", model.backendWarningProperty().get());
        assertTrue(model.whereProperty().get().contains("It is the fallback"), model.whereProperty().get());
        assertEquals("", model.catalogNoteProperty().get());
    }

    @Test
    void addingStoresTheValueListsItAndOffersToRestartTheServicesThatUseIt() throws Exception {
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());
        CredentialEditor editor = watched(model.add());
        assertTrue(editor.nameEditable());
        assertEquals("Add", editor.saveLabel());
        editor.nameProperty().set(" anthropic/default ");
        assertEquals(List.of("gateway", "cloud"), editor.usedBy(), "who uses the name typed so far");
        editor.valueProperty().set(SECRET);

        assertTrue(editor.save().join());

        assertTrue(editor.doneProperty().get());
        assertEquals(SECRET, storedValue(ANTHROPIC));
        assertEquals(SECRET, credentials.get(ANTHROPIC).orElseThrow().reveal());
        CredentialRow listed = row(model, ANTHROPIC);
        assertTrue(listed.stored());
        assertEquals(EncryptedFileStore.ID, listed.backend());
        assertEquals(clock.instant(), listed.updated());
        assertEquals(StatusMessage.success("Saved anthropic/default in encrypted-file."), model.statusProperty().get());
        CredentialsViewModel.RestartOffer offer = model.restartOfferProperty().get();
        assertEquals(new CredentialsViewModel.RestartOffer(ANTHROPIC, List.of("gateway", "cloud")), offer);
        assertEquals("gateway and cloud use anthropic/default. Those running have the old value until they restart.",
                offer.text());
        assertEquals("Restart the services that use it", offer.buttonText());

        // Nothing that may be printed holds the value.
        for (Object printable : List.of(model, editor, editor.valueProperty(), listed, offer, model.rows())) {
            assertFalse(printable.toString().contains(SECRET), printable.toString());
        }
        editor.close();
        assertEquals("", editor.valueProperty().get());
    }

    @Test
    void savingRunsOnTheBackgroundExecutorAndShowsProgressMeanwhile() throws Exception {
        QueuedExecutor background = new QueuedExecutor();
        CredentialsViewModel model = model(() -> credentials, RecordingEngineCommands.notRunning(), background);
        var loading = model.load();
        assertTrue(model.busyProperty().get(), "the store is opened in the background");
        assertEquals(StatusMessage.Kind.BUSY, model.statusProperty().get().kind());
        background.runAll();
        loading.join();
        assertTrue(model.readyProperty().get());

        CredentialEditor editor = watched(model.add());
        editor.nameProperty().set("anthropic/default");
        editor.valueProperty().set(SECRET);
        var saving = editor.save();

        assertTrue(editor.busyProperty().get());
        assertEquals(StatusMessage.busy("Saving anthropic/default in encrypted-file…"), editor.statusProperty().get());
        assertNull(storedValue(ANTHROPIC), "nothing is written on the calling (UI) thread");
        assertEquals(1, background.runAll());
        assertTrue(saving.join());
        assertFalse(editor.busyProperty().get());
        assertEquals(SECRET, storedValue(ANTHROPIC));
    }

    @Test
    void badNamesAndEmptyValuesAreRefusedWithTheReasonAndNothingIsStored() throws Exception {
        credentials.set(UNUSED, Secret.of("gateway-token"));
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());
        CredentialEditor editor = watched(model.add());
        assertEquals("", editor.nameErrorProperty().get(), "an untouched dialog shows no errors");

        assertFalse(editor.save().join());
        assertEquals(CredentialEditor.NAME_REQUIRED, editor.nameErrorProperty().get());
        assertEquals(CredentialEditor.VALUE_REQUIRED, editor.valueErrorProperty().get());
        assertEquals(StatusMessage.error("Not saved: " + CredentialEditor.NAME_REQUIRED), editor.statusProperty().get());

        editor.nameProperty().set("Anthropic/Default");
        String parserSays = parseError("Anthropic/Default");
        assertEquals(Character.toUpperCase(parserSays.charAt(0)) + parserSays.substring(1) + ".",
                editor.nameErrorProperty().get());
        editor.nameProperty().set("anthropic");
        assertTrue(editor.nameErrorProperty().get().contains("expected service/profile such as anthropic/default"),
                editor.nameErrorProperty().get());
        editor.nameProperty().set("gateway/token");
        assertEquals("gateway/token already exists; close this and use Edit to change its value.",
                editor.nameErrorProperty().get());
        editor.nameProperty().set("anthropic/default");
        assertEquals("", editor.nameErrorProperty().get());

        editor.valueProperty().set("   ");
        assertEquals(CredentialEditor.VALUE_BLANK, editor.valueErrorProperty().get());
        assertFalse(editor.save().join());
        assertEquals(StatusMessage.error("Not saved: " + CredentialEditor.VALUE_BLANK), editor.statusProperty().get());
        assertEquals(List.of(UNUSED), credentials.list().stream().map(CredentialInfo::name).toList());
        assertNull(storedValue(ANTHROPIC));

        editor.valueProperty().set(SECRET);
        assertEquals("", editor.valueErrorProperty().get());
        assertEquals(StatusMessage.NONE, editor.statusProperty().get(), "fixing the input clears the refusal");
        assertTrue(editor.save().join());
    }

    private static String parseError(String text) {
        try {
            CredentialName.parse(text);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError(text + " parsed");
    }

    @Test
    void editingReplacesTheValueUnderTheFixedNameAndKeepsTheCreationTime() throws Exception {
        credentials.set(ANTHROPIC, Secret.of(SECRET));
        Instant created = clock.instant();
        clock.advanceSeconds(3600);
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());

        CredentialEditor editor = watched(model.edit(row(model, ANTHROPIC)));
        assertEquals(CredentialEditor.Mode.EDIT, editor.mode());
        assertFalse(editor.nameEditable());
        assertEquals("Edit anthropic/default", editor.title());
        assertEquals("", editor.valueProperty().get(), "the stored value is not read to open the dialog");
        editor.nameProperty().set("anthropic/other");
        assertEquals("anthropic/default", editor.nameProperty().get(), "the name is fixed");

        editor.valueProperty().set(NEWER);
        assertTrue(editor.save().join());

        assertEquals(NEWER, storedValue(ANTHROPIC));
        CredentialInfo info = credentials.index().find(ANTHROPIC).orElseThrow();
        assertEquals(created, info.created());
        assertEquals(clock.instant(), info.updated());
        assertEquals(clock.instant(), row(model, ANTHROPIC).updated());
        assertEquals(List.of("gateway", "cloud"), model.restartOfferProperty().get().services());
        assertFalse(credentials.index().find(CredentialName.parse("anthropic/other")).isPresent());
    }

    @Test
    void aCredentialServicesUseButNobodySetGetsItsFirstValue() throws Exception {
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());
        CredentialEditor editor = watched(model.edit(row(model, CLOUD)));
        assertEquals(CredentialEditor.Mode.SET, editor.mode());
        assertEquals("Set nexus-cloud/default", editor.title());
        assertTrue(editor.hint().startsWith("cloud uses this credential, but it is not set yet."), editor.hint());

        editor.valueProperty().set("cloud-token");
        assertTrue(editor.save().join());
        assertEquals("cloud-token", storedValue(CLOUD));
        assertTrue(row(model, CLOUD).stored());
        assertEquals(List.of("cloud"), model.restartOfferProperty().get().services());
        assertEquals("cloud uses nexus-cloud/default. If it is running, it has the old value until it restarts.",
                model.restartOfferProperty().get().text());
        assertEquals("Restart cloud", model.restartOfferProperty().get().buttonText());
    }

    @Test
    void revealReadsTheStoredValueOnlyWhenAskedAndForgetsItWhenTheDialogCloses() throws Exception {
        credentials.set(ANTHROPIC, Secret.of(SECRET));
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());
        CredentialEditor editor = watched(model.edit(row(model, ANTHROPIC)));
        // Changed after the dialog opened: Show must read what is stored at the moment of the click.
        credentials.set(ANTHROPIC, Secret.of(NEWER));
        Instant updated = credentials.index().find(ANTHROPIC).orElseThrow().updated();
        clock.advanceSeconds(60);

        editor.toggleReveal().join();
        assertTrue(editor.revealedProperty().get());
        assertEquals(NEWER, editor.valueProperty().get());
        assertFalse(editor.toString().contains(NEWER), editor.toString());
        assertFalse(editor.valueProperty().toString().contains(NEWER), editor.valueProperty().toString());

        editor.toggleReveal().join();
        assertFalse(editor.revealedProperty().get(), "Hide masks it again");
        assertEquals(NEWER, editor.valueProperty().get(), "hiding keeps what is in the field");

        // Saving the value Show read changes nothing, not even the update time.
        assertFalse(editor.save().join());
        assertTrue(editor.doneProperty().get());
        assertEquals(StatusMessage.success("Nothing changed: anthropic/default keeps its value."),
                model.statusProperty().get());
        assertEquals(updated, credentials.index().find(ANTHROPIC).orElseThrow().updated());

        editor.close();
        assertEquals("", editor.valueProperty().get());
        assertFalse(editor.revealedProperty().get());
    }

    @Test
    void aRevealStillRunningWhenTheDialogClosesDoesNotBringTheValueBack() throws Exception {
        credentials.set(ANTHROPIC, Secret.of(SECRET));
        QueuedExecutor background = new QueuedExecutor();
        CredentialsViewModel model = model(() -> credentials, RecordingEngineCommands.notRunning(), background);
        var loading = model.load();
        background.runAll();
        loading.join();
        CredentialEditor editor = watched(model.edit(row(model, ANTHROPIC)));

        var reveal = editor.toggleReveal();
        assertEquals(StatusMessage.busy("Reading anthropic/default…"), editor.statusProperty().get());
        editor.close();
        background.runAll();
        reveal.join();

        assertEquals("", editor.valueProperty().get());
        assertFalse(editor.revealedProperty().get());
    }

    @Test
    void showingANewValueShowsWhatWasTypedWithoutReadingTheStore() throws Exception {
        LockedKeyringStoreDouble keyring = new LockedKeyringStoreDouble();
        credentials = Credentials.using(List.of(keyring), CredentialIndex.at(paths), clock);
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());
        CredentialEditor editor = watched(model.add());
        editor.valueProperty().set(SECRET);

        editor.toggleReveal().join(); // the keyring is locked: a read would fail
        assertTrue(editor.revealedProperty().get());
        assertEquals(StatusMessage.NONE, editor.statusProperty().get());
        assertEquals(SECRET, editor.valueProperty().get());
    }

    @Test
    void deletingSaysWhoUsesItAndLeavesANotSetRowWhileServicesStillReferToIt() throws Exception {
        credentials.set(ANTHROPIC, Secret.of(SECRET));
        credentials.set(UNUSED, Secret.of("gateway-token"));
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());

        assertEquals("The value is removed from encrypted-file and cannot be recovered. gateway and cloud use it and "
                + "will fail to start until it is set again.", model.deleteConsequences(row(model, ANTHROPIC)));
        assertEquals("The value is removed from encrypted-file and cannot be recovered. No service uses it.",
                model.deleteConsequences(row(model, UNUSED)));

        assertTrue(model.delete(row(model, ANTHROPIC)).join());
        assertNull(storedValue(ANTHROPIC));
        assertFalse(credentials.index().find(ANTHROPIC).isPresent());
        assertFalse(row(model, ANTHROPIC).stored(), "services still refer to it");
        assertEquals(StatusMessage.success("Deleted anthropic/default. gateway and cloud will fail to start until it is "
                + "set again."), model.statusProperty().get());

        assertTrue(model.delete(row(model, UNUSED)).join());
        assertEquals(List.of(ANTHROPIC, CLOUD), model.rows().stream().map(CredentialRow::name).toList());
        assertEquals(StatusMessage.success("Deleted gateway/token."), model.statusProperty().get());
        assertFalse(model.delete(row(model, ANTHROPIC)).join(), "a row that is not set has nothing to delete");
    }

    @Test
    void restartRestartsOnlyTheServicesTheEngineHasUp() throws Exception {
        RecordingEngineCommands engine = new RecordingEngineCommands()
                .answer("snapshot", RecordingEngineCommands.snapshot("gateway", "FAILED", "DOWN",
                        "cloud", "STOPPED", "STOPPED", "hub", "STOPPED", "STOPPED", "collab", "STOPPED", "STOPPED"))
                .answer("restart", RecordingEngineCommands.snapshot("gateway", "RUNNING", "HEALTHY",
                        "cloud", "STOPPED", "STOPPED", "hub", "STOPPED", "STOPPED", "collab", "STOPPED", "STOPPED"));
        CredentialsViewModel model = withAnthropicAdded(engine);
        assertNotNull(model.restartOfferProperty().get());

        assertTrue(model.restartServices().join());

        assertEquals(List.of("snapshot", "restart"), engine.ops());
        assertEquals("{\"services\":[\"gateway\"]}", engine.calls().get(1).args().toString(),
                "a stopped service is not started by the offer");
        assertEquals(StatusMessage.success("Restarted gateway (healthy). cloud is not running; it gets the new value "
                + "when started."), model.statusProperty().get());
        assertNull(model.restartOfferProperty().get());
    }

    @Test
    void restartWithoutARunningEngineSaysTheServicesGetTheValueWhenTheyStart() {
        RecordingEngineCommands engine = RecordingEngineCommands.notRunning();
        CredentialsViewModel model = withAnthropicAdded(engine);

        assertFalse(model.restartServices().join());

        assertEquals(List.of("snapshot"), engine.ops());
        assertEquals(StatusMessage.warning("The engine is not running; gateway and cloud will get the new value when "
                + "they start."), model.statusProperty().get());
        assertNull(model.restartOfferProperty().get());
    }

    @Test
    void aRestartTheEngineRefusesIsShownAndTheOfferStays() {
        RecordingEngineCommands engine = new RecordingEngineCommands()
                .answer("snapshot", RecordingEngineCommands.snapshot("gateway", "RUNNING", "HEALTHY",
                        "cloud", "RUNNING", "HEALTHY"))
                .fail("restart", new ControlException("unknown_service", "no service named \"cloud\""));
        CredentialsViewModel model = withAnthropicAdded(engine);

        assertFalse(model.restartServices().join());

        assertEquals("{\"services\":[\"gateway\",\"cloud\"]}", engine.calls().get(1).args().toString());
        assertEquals(StatusMessage.error("The engine refused to restart gateway and cloud: no service named \"cloud\""),
                model.statusProperty().get());
        assertNotNull(model.restartOfferProperty().get(), "the user can try again");
        model.dismissRestartOffer();
        assertNull(model.restartOfferProperty().get());
    }

    @Test
    void aLockedKeyringIsShownInTheDialogAndNothingIsSaved() throws Exception {
        LockedKeyringStoreDouble keyring = new LockedKeyringStoreDouble();
        credentials = Credentials.using(List.of(keyring), CredentialIndex.at(paths), clock);
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());
        assertTrue(model.readyProperty().get(), "listing needs only the index");
        assertEquals(LockedKeyringStoreDouble.ID, model.backendProperty().get());
        assertEquals("", model.backendWarningProperty().get(), "a keychain needs no warning");

        CredentialEditor editor = watched(model.add());
        editor.nameProperty().set("anthropic/default");
        editor.valueProperty().set(SECRET);
        assertFalse(editor.save().join());

        StatusMessage status = editor.statusProperty().get();
        assertEquals(StatusMessage.error("Not saved: cannot read anthropic/default from test-keyring: the keyring is "
                + "locked: unlock your login keyring and try again"), status);
        assertFalse(editor.doneProperty().get(), "the dialog stays open to try again");
        assertEquals(SECRET, editor.valueProperty().get(), "and keeps what was typed");
        assertTrue(credentials.list().isEmpty());
        assertNull(model.restartOfferProperty().get());

        keyring.unlock();
        assertTrue(editor.save().join());
        assertTrue(row(model, ANTHROPIC).stored());

        keyring.lock();
        CredentialEditor again = watched(model.edit(row(model, ANTHROPIC)));
        again.toggleReveal().join();
        assertEquals(StatusMessage.error("Could not read anthropic/default: cannot read anthropic/default from "
                + "test-keyring: the keyring is locked: unlock your login keyring and try again"),
                again.statusProperty().get());
        assertFalse(again.revealedProperty().get());
        assertEquals("", again.valueProperty().get());
    }

    @Test
    void aCatalogWithErrorsLeavesUsedByUnknownAndSaysSo() throws Exception {
        Files.writeString(paths.catalogFile(), "{ \"version\": 1, \"services\": [ {\"name\": 5} ] }");
        credentials.set(ANTHROPIC, Secret.of(SECRET));
        CredentialsViewModel model = model(RecordingEngineCommands.notRunning());

        assertEquals(List.of(ANTHROPIC), model.rows().stream().map(CredentialRow::name).toList());
        assertEquals(List.of(), row(model, ANTHROPIC).usedBy());
        assertEquals("services.json has problems, so which services use each credential is not known. The Services "
                + "tab lists them.", model.catalogNoteProperty().get());
    }

    @Test
    void noStoreAtAllIsAnErrorAndNothingCanBeAdded() {
        CredentialsViewModel model = model(() -> {
            throw new IllegalStateException("no credential store is available here: encrypted-file: disk on fire");
        }, RecordingEngineCommands.notRunning(), Runnable::run);
        model.load().join();

        assertFalse(model.readyProperty().get());
        assertEquals(StatusMessage.error("No credential store can be used: no credential store is available here: "
                + "encrypted-file: disk on fire"), model.statusProperty().get());
    }

    /** Runs what it is given only when the test says so, to see the state while work is in flight. */
    private static final class QueuedExecutor implements Executor {
        private final Deque<Runnable> queue = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            queue.add(task);
        }

        private synchronized Runnable next() {
            return queue.poll();
        }

        int runAll() {
            int ran = 0;
            for (Runnable task = next(); task != null; task = next()) {
                task.run();
                ran++;
            }
            return ran;
        }
    }

    /** A clock the test moves by hand. */
    private static final class StepClock extends Clock {
        private Instant now = Instant.parse("2025-05-01T10:00:00Z");

        void advanceSeconds(long seconds) {
            now = now.plusSeconds(seconds);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}

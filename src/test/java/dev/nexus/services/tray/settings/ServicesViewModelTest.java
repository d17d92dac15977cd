package dev.nexus.services.tray.settings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Services tab's rules, without a display: a real services.json in a temp root, the engine as a double. */
class ServicesViewModelTest {
    @TempDir
    Path tmp;
    private NexusPaths paths;

    @BeforeEach
    void setUp() {
        paths = new NexusPaths(tmp);
    }

    private ServicesViewModel model(RecordingEngineCommands engine) {
        ServicesViewModel model = new ServicesViewModel(new CatalogStore(paths, new CatalogCodec(paths)), engine,
                Runnable::run, Runnable::run);
        model.load().join();
        return model;
    }

    private static ServiceRow row(ServicesViewModel model, String name) {
        return model.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private LoadResult reread() {
        return new CatalogStore(paths, new CatalogCodec(paths)).load();
    }

    private static RecordingEngineCommands runningEngine() {
        return new RecordingEngineCommands()
                .answer("snapshot", RecordingEngineCommands.snapshot("gateway", "RUNNING", "HEALTHY",
                        "cloud", "STOPPED", "STOPPED", "hub", "STOPPED", "STOPPED", "collab", "STOPPED", "STOPPED"))
                .answer("reload", RecordingEngineCommands.snapshot("gateway", "RUNNING", "HEALTHY",
                        "cloud", "STOPPED", "STOPPED", "hub", "STOPPED", "STOPPED", "collab", "STOPPED", "STOPPED"));
    }

    @Test
    void aMissingCatalogIsCreatedWithTheDefaultsAndListed() {
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());
        assertEquals(List.of("gateway", "cloud", "hub", "collab"), model.rows().stream().map(ServiceRow::name).toList());
        assertTrue(Files.exists(paths.catalogFile()));
        assertTrue(model.fileOkProperty().get());
        assertEquals(StatusMessage.Kind.SUCCESS, model.statusProperty().get().kind());
        assertTrue(model.statusProperty().get().text().contains("created with the Nexus defaults"));
        assertFalse(model.dirtyProperty().get());
    }

    @Test
    void disablingAServiceWritesServicesJsonAndReloadsTheEngine() throws Exception {
        RecordingEngineCommands engine = runningEngine();
        ServicesViewModel model = model(engine);
        String before = Files.readString(paths.catalogFile());

        row(model, "cloud").enabledProperty().set(false);
        assertTrue(model.dirtyProperty().get());
        assertTrue(model.save().join());

        assertFalse(reread().catalog().find("cloud").orElseThrow().enabled());
        assertTrue(reread().catalog().find("gateway").orElseThrow().enabled());
        String after = Files.readString(paths.catalogFile());
        assertEquals(1, diffLines(before, after), "one toggle changes one line:\n" + after);
        assertEquals(List.of("snapshot", "reload"), engine.ops());
        StatusMessage status = model.statusProperty().get();
        assertEquals(StatusMessage.Kind.SUCCESS, status.kind(), status.text());
        assertEquals("Saved services.json; the engine reloaded it (4 services).", status.text());
        assertFalse(model.dirtyProperty().get());
    }

    @Test
    void unknownFieldsInTheFileSurviveASave() throws Exception {
        model(RecordingEngineCommands.notRunning()); // creates the defaults
        String text = Files.readString(paths.catalogFile())
                .replaceFirst("\"name\": \"gateway\",", "\"name\": \"gateway\",\n      \"x-owner\": \"ada\",");
        Files.writeString(paths.catalogFile(), text);
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());

        row(model, "gateway").managerProperty().set(ManagerOption.EMBEDDED);
        assertTrue(model.save().join());
        String saved = Files.readString(paths.catalogFile());
        assertTrue(saved.contains("\"x-owner\": \"ada\""), saved);
        assertEquals(ManagerKind.EMBEDDED, reread().catalog().find("gateway").orElseThrow().manager());
        StatusMessage status = model.statusProperty().get();
        assertEquals("Saved services.json. The engine is not running; it reads the file when it starts.", status.text());
    }

    @Test
    void aBadCatalogIsShownWithItsProblemsAndNeverSavedOver() throws Exception {
        Files.createDirectories(paths.state());
        String bad = "{\n  \"version\": 1,\n  \"services\": [\n    {\"name\": \"gateway\", \"command\": [\"nexus\"], \"port\": 70000}\n  ]\n}\n";
        Files.writeString(paths.catalogFile(), bad);
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());

        assertFalse(model.fileOkProperty().get());
        assertTrue(model.rows().isEmpty(), "the fallback catalog is not the user's; nothing to edit");
        assertEquals(1, model.fileProblems().size(), model.fileProblems().toString());
        String problem = model.fileProblems().get(0);
        assertTrue(problem.startsWith("services.json:4:"), problem);
        assertTrue(problem.contains("/services/0/port"), problem);
        assertEquals(StatusMessage.Kind.ERROR, model.statusProperty().get().kind());

        assertFalse(model.save().join());
        assertTrue(model.statusProperty().get().text().startsWith("Not saved"), model.statusProperty().get().text());
        assertEquals(bad, Files.readString(paths.catalogFile()));
    }

    @Test
    void aCatalogTheEngineWouldRefuseIsNotSavedAndItsProblemIsShownWithLineAndField() throws Exception {
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());
        byte[] before = Files.readAllBytes(paths.catalogFile());

        row(model, "collab").enabledProperty().set(true); // a connection without a url
        assertFalse(model.save().join());

        StatusMessage status = model.statusProperty().get();
        assertEquals(StatusMessage.Kind.ERROR, status.kind());
        assertTrue(status.text().matches("(?s).*services\\.json \\(not saved\\):\\d+:\\d+: /services/3/url: "
                + "an enabled connection needs a url.*"), status.text());
        assertArrayEquals(before, Files.readAllBytes(paths.catalogFile()));
        assertTrue(model.dirtyProperty().get(), "the edit is still there to fix");
    }

    @Test
    void aFileChangedOnDiskAfterLoadingIsNotOverwritten() throws Exception {
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());
        String edited = Files.readString(paths.catalogFile()).replace("\"Nexus Cloud\"", "\"My Cloud\"");
        Files.writeString(paths.catalogFile(), edited);

        row(model, "gateway").enabledProperty().set(false);
        assertFalse(model.save().join());
        assertTrue(model.statusProperty().get().text().contains("changed on disk"), model.statusProperty().get().text());
        assertEquals(edited, Files.readString(paths.catalogFile()));

        model.load().join();
        assertEquals("My Cloud", row(model, "cloud").displayName());
    }

    @Test
    void livenessPeriodIsValidatedAndSavedAsADuration() throws Exception {
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());
        ServiceRow cloud = row(model, "cloud");
        assertTrue(cloud.hasLiveness());
        assertEquals("10s", cloud.livenessPeriodProperty().get());
        assertFalse(row(model, "hub").hasLiveness(), "a job has no liveness probe");

        cloud.livenessPeriodProperty().set("soon");
        assertNotNull(cloud.livenessErrorProperty().get());
        assertTrue(cloud.livenessErrorProperty().get().contains("\"soon\""));
        cloud.livenessPeriodProperty().set("0s");
        assertEquals("must be greater than 0, got \"0s\"", cloud.livenessErrorProperty().get());
        byte[] before = Files.readAllBytes(paths.catalogFile());
        assertFalse(model.save().join());
        assertEquals("Not saved. Nexus Cloud: liveness period must be greater than 0, got \"0s\"",
                model.statusProperty().get().text());
        assertArrayEquals(before, Files.readAllBytes(paths.catalogFile()));

        cloud.livenessPeriodProperty().set("1m30s");
        assertNull(cloud.livenessErrorProperty().get());
        assertTrue(model.save().join());
        assertEquals(Duration.ofSeconds(90), reread().catalog().find("cloud").orElseThrow().probes().liveness().period());
        assertTrue(Files.readString(paths.catalogFile()).contains("\"period\": \"1m30s\""));
    }

    @Test
    void sameDurationWrittenDifferentlyIsNoChange() {
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());
        row(model, "gateway").livenessPeriodProperty().set("10000ms");
        assertFalse(model.dirtyProperty().get());
    }

    @Test
    void withoutAnEngineOnlyAutoAndEmbeddedCanBePickedAndTheOsManagersSayWhy() {
        assertEquals(5, ManagerOption.all().size());
        assertFalse(ManagerOption.appliesTo(ServiceKind.CONNECTION));
        assertTrue(ManagerOption.appliesTo(ServiceKind.JOB));

        ServicesViewModel model = model(RecordingEngineCommands.notRunning());

        assertEquals(List.of(ManagerOption.AUTO, ManagerOption.EMBEDDED), model.managerChoices().stream()
                .filter(ManagerChoice::selectable).map(ManagerChoice::option).toList());
        for (ManagerOption os : List.of(ManagerOption.LAUNCHD, ManagerOption.SYSTEMD, ManagerOption.WINDOWS_TASK)) {
            ManagerChoice choice = model.choice(os);
            assertEquals(os.label() + " (unknown)", choice.text());
            assertTrue(choice.tooltip().contains("known once the engine runs (it is not running)"), choice.tooltip());
        }
        assertEquals("Auto", model.choice(ManagerOption.AUTO).text());
        assertTrue(model.managerChoices().stream().noneMatch(c -> c.text().contains("OS integration")
                || c.tooltip().contains("OS integration")));
        ServiceRow gateway = row(model, "gateway");
        gateway.managerProperty().set(ManagerOption.SYSTEMD);
        assertEquals(ManagerOption.AUTO, gateway.managerProperty().get(), "systemd cannot be picked without the engine's word");
        assertFalse(row(model, "collab").managerApplies());
    }

    @Test
    void theOsManagersTheEngineCanUseAreOfferedAndTheOthersSayWhyNot() throws Exception {
        var snapshot = RecordingEngineCommands.withManagers(RecordingEngineCommands.snapshot("gateway", "RUNNING",
                        "HEALTHY", "cloud", "STOPPED", "STOPPED", "hub", "STOPPED", "STOPPED", "collab", "STOPPED",
                        "STOPPED"),
                "auto", "true", null, "systemd",
                "embedded", "true", null, "embedded",
                "launchd", "false", "launchd is not supported on this system", "embedded",
                "systemd", "true", null, "systemd",
                "windows-task", "false", "Windows only", "embedded");
        RecordingEngineCommands engine = new RecordingEngineCommands().answer("snapshot", snapshot)
                .answer("reload", snapshot);
        ServicesViewModel model = model(engine);

        assertEquals(List.of(ManagerOption.AUTO, ManagerOption.EMBEDDED, ManagerOption.SYSTEMD),
                model.managerChoices().stream().filter(ManagerChoice::selectable).map(ManagerChoice::option).toList());
        assertEquals("Auto (systemd here)", model.choice(ManagerOption.AUTO).text());
        assertTrue(model.choice(ManagerOption.AUTO).tooltip().endsWith("here that is systemd."),
                model.choice(ManagerOption.AUTO).tooltip());
        assertEquals("systemd", model.choice(ManagerOption.SYSTEMD).text());
        assertTrue(model.choice(ManagerOption.SYSTEMD).tooltip().contains("starts it at login"));
        assertEquals("launchd (not usable here)", model.choice(ManagerOption.LAUNCHD).text());
        assertEquals("launchd cannot be used here: launchd is not supported on this system",
                model.choice(ManagerOption.LAUNCHD).tooltip());

        ServiceRow cloud = row(model, "cloud");
        cloud.managerProperty().set(ManagerOption.LAUNCHD);
        assertEquals(ManagerOption.AUTO, cloud.managerProperty().get(), "launchd is refused here");
        cloud.managerProperty().set(ManagerOption.SYSTEMD);
        assertEquals(ManagerOption.SYSTEMD, cloud.managerProperty().get());
        assertTrue(model.save().join());
        assertEquals(ManagerKind.SYSTEMD, reread().catalog().find("cloud").orElseThrow().manager());
        assertEquals(List.of("snapshot", "reload"), engine.ops());
    }

    @Test
    void anEngineThatDoesNotListItsManagersOffersNoOsManager() {
        ServicesViewModel model = model(runningEngine());
        assertEquals(List.of(ManagerOption.AUTO, ManagerOption.EMBEDDED), model.managerChoices().stream()
                .filter(ManagerChoice::selectable).map(ManagerChoice::option).toList());
        assertTrue(model.choice(ManagerOption.SYSTEMD).tooltip().contains("did not say"),
                model.choice(ManagerOption.SYSTEMD).tooltip());
    }

    @Test
    void aManagerTheFileAlreadyNamesIsKept() throws Exception {
        model(RecordingEngineCommands.notRunning());
        Files.writeString(paths.catalogFile(), Files.readString(paths.catalogFile())
                .replaceFirst("\"manager\": \"auto\"", "\"manager\": \"systemd\""));
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());
        ServiceRow gateway = row(model, "gateway");
        assertEquals(ManagerOption.SYSTEMD, gateway.managerProperty().get());
        gateway.managerProperty().set(ManagerOption.EMBEDDED);
        gateway.managerProperty().set(ManagerOption.SYSTEMD);
        assertEquals(ManagerOption.SYSTEMD, gateway.managerProperty().get(), "going back to the file's value is fine");
        row(model, "cloud").enabledProperty().set(false);
        assertTrue(model.save().join());
        assertEquals(ManagerKind.SYSTEMD, reread().catalog().find("gateway").orElseThrow().manager());
    }

    @Test
    void autostartIsEnabledPlusWantedUp() {
        ServicesViewModel model = model(runningEngine());
        ServiceRow gateway = row(model, "gateway");
        ServiceRow cloud = row(model, "cloud");
        assertTrue(gateway.autostartKnown());
        assertTrue(gateway.autostartProperty().get(), "running: wanted up");
        assertFalse(cloud.autostartProperty().get(), "stopped: not wanted up");

        gateway.enabledProperty().set(false);
        assertFalse(gateway.autostartProperty().get(), "a disabled service never autostarts");
        row(model, "collab").autostartProperty().set(true);
        assertTrue(row(model, "collab").enabledProperty().get(), "autostart implies enabled");
    }

    @Test
    void changedAutostartStartsOrStopsTheServiceAfterTheReload() {
        RecordingEngineCommands engine = runningEngine()
                .answer("start", RecordingEngineCommands.snapshot("cloud", "RUNNING", "HEALTHY"))
                .answer("stop", RecordingEngineCommands.snapshot("gateway", "STOPPED", "STOPPED"));
        ServicesViewModel model = model(engine);
        row(model, "cloud").autostartProperty().set(true);
        row(model, "gateway").autostartProperty().set(false);

        assertTrue(model.save().join());
        assertEquals(List.of("snapshot", "stop", "start"), engine.ops(), "the file is unchanged: no reload");
        assertEquals("[\"gateway\"]", engine.calls().get(1).args().path("services").toString());
        assertEquals("[\"cloud\"]", engine.calls().get(2).args().path("services").toString());
        StatusMessage status = model.statusProperty().get();
        assertEquals(StatusMessage.Kind.SUCCESS, status.kind(), status.text());
        assertEquals("Stopped gateway (stopped).\nStarted cloud (healthy).", status.text());
        assertFalse(model.dirtyProperty().get());
        assertFalse(row(model, "cloud").autostartChanged());
    }

    @Test
    void autostartOnForADisabledServiceEnablesItSavesThenStartsIt() throws Exception {
        RecordingEngineCommands engine = runningEngine()
                .answer("start", RecordingEngineCommands.snapshot("cloud", "RUNNING", "HEALTHY"));
        ServicesViewModel model = model(engine);
        row(model, "cloud").enabledProperty().set(false);
        assertTrue(model.save().join());
        row(model, "cloud").autostartProperty().set(true);
        assertTrue(row(model, "cloud").enabledProperty().get());

        assertTrue(model.save().join());
        assertEquals(List.of("snapshot", "reload", "reload", "start"), engine.ops());
        assertTrue(reread().catalog().find("cloud").orElseThrow().enabled());
        assertEquals("Saved services.json; the engine reloaded it (4 services).\nStarted cloud (healthy).",
                model.statusProperty().get().text());
    }

    @Test
    void aFailedStartIsReportedAndLeftToRetry() {
        RecordingEngineCommands engine = runningEngine()
                .fail("start", new ControlException("unknown_service", "unknown service \"cloud\""));
        ServicesViewModel model = model(engine);
        row(model, "cloud").autostartProperty().set(true);
        assertTrue(model.save().join());
        StatusMessage status = model.statusProperty().get();
        assertEquals(StatusMessage.Kind.WARNING, status.kind());
        assertEquals("Could not start cloud: unknown service \"cloud\"", status.text());
        assertTrue(row(model, "cloud").autostartChanged(), "still to apply");
        assertTrue(model.dirtyProperty().get());
    }

    @Test
    void withoutAnEngineAutostartIsUnknownAndSaysWhy() {
        ServicesViewModel model = model(RecordingEngineCommands.notRunning());
        assertFalse(row(model, "gateway").autostartKnown());
        assertTrue(model.engineNoteProperty().get().contains("engine is not running"), model.engineNoteProperty().get());
        row(model, "gateway").autostartProperty().set(true);
        assertFalse(row(model, "gateway").autostartChanged(), "nothing to apply without an engine");
    }

    @Test
    void anEngineThatRefusesTheReloadIsShownAsAWarningAfterSaving() {
        RecordingEngineCommands engine = runningEngine()
                .fail("reload", new ControlException("busy", "the engine is shutting down"));
        ServicesViewModel model = model(engine);
        row(model, "cloud").enabledProperty().set(false);

        assertTrue(model.save().join());
        StatusMessage status = model.statusProperty().get();
        assertEquals(StatusMessage.Kind.WARNING, status.kind());
        assertEquals("Saved services.json, but the engine refused to reload it: the engine is shutting down",
                status.text());
        assertFalse(reread().catalog().find("cloud").orElseThrow().enabled());
    }

    @Test
    void engineProblemsAfterAReloadAreShown() {
        var reply = RecordingEngineCommands.snapshot("gateway", "RUNNING", "HEALTHY");
        ((com.fasterxml.jackson.databind.node.ArrayNode) reply.path("engine").path("problems"))
                .add("services.json:3:1: something the engine saw");
        ServicesViewModel model = model(runningEngine().answer("reload", reply));
        row(model, "cloud").enabledProperty().set(false);
        assertTrue(model.save().join());
        assertEquals(StatusMessage.Kind.WARNING, model.statusProperty().get().kind());
        assertTrue(model.statusProperty().get().text().endsWith("services.json:3:1: something the engine saw"));
    }

    private static int diffLines(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        assertEquals(x.size(), y.size(), "same number of lines");
        int n = 0;
        for (int i = 0; i < x.size(); i++) {
            if (!x.get(i).equals(y.get(i))) {
                n++;
            }
        }
        return n;
    }

    @Test
    void switchingTheGatewayToRemoteSavesAConnectionAndReloadsTheRows() {
        RecordingEngineCommands engine = runningEngine();
        ServicesViewModel model = model(engine);
        GatewayModeEditor gateway = model.gatewayMode();
        assertTrue(gateway.availableProperty().get());
        assertFalse(gateway.remoteProperty().get());

        gateway.remoteProperty().set(true);
        assertTrue(model.dirtyProperty().get());
        assertEquals("a remote gateway needs its URL, e.g. wss://gateway.example.com/", gateway.urlErrorProperty().get());
        assertFalse(model.save().join(), "no URL, nothing saved");
        assertEquals(dev.nexus.services.catalog.ServiceKind.DAEMON, reread().catalog().find("gateway").orElseThrow().kind());

        gateway.urlProperty().set("wss://gw.example.com/");
        assertEquals(null, gateway.urlErrorProperty().get());
        assertTrue(model.save().join());
        dev.nexus.services.catalog.ServiceSpec saved = reread().catalog().find("gateway").orElseThrow();
        assertEquals(dev.nexus.services.catalog.ServiceKind.CONNECTION, saved.kind());
        assertEquals(java.net.URI.create("wss://gw.example.com/"), saved.url());
        assertTrue(engine.ops().contains("reload"));
        // Re-read: the gateway row is now a connection, and nothing is left to save.
        assertFalse(row(model, "gateway").managerApplies());
        assertTrue(gateway.remoteProperty().get());
        assertFalse(model.dirtyProperty().get());

        gateway.remoteProperty().set(false);
        assertTrue(model.save().join());
        assertEquals(dev.nexus.services.catalog.ServiceKind.DAEMON, reread().catalog().find("gateway").orElseThrow().kind());
    }
}

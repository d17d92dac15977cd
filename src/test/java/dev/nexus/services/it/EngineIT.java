package dev.nexus.services.it;

import static dev.nexus.services.it.TestRoot.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.support.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher against one real daemon shared by the tests of this class (starting it and three
 * fixture services costs seconds). Each test brings the services to the state it needs first, so the
 * tests do not depend on each other's order.
 *
 * <p>Services: {@code gateway} and {@code cloud} are fixture daemons on ephemeral ports with 200 ms TCP
 * probes ({@code cloud} depends on {@code gateway} and prints 5 lines a second); {@code hub} is a job
 * printing {@code {"updates":[1,2]}}.
 */
class EngineIT {
    private static final List<String> GATEWAY_LINES = IntStream.rangeClosed(1, 8).mapToObj(i -> "gateway line " + i)
            .toList();
    private static final List<String> GATEWAY_ERR_LINES = IntStream.rangeClosed(1, 3)
            .mapToObj(i -> "gateway err " + i).toList();
    private static final Pattern OUT_LINE = Pattern.compile("out (\\d+)");

    @TempDir
    static Path tempDir;
    private static TestRoot root;
    private static Cli cli;
    private static int gatewayPort;
    private static int cloudPort;
    private static String goodCatalog;
    private static Launcher.Result firstUp;
    private static JsonNode afterFirstUp;

    @BeforeAll
    static void upWithFixtureServices() {
        root = TestRoot.in(tempDir);
        cli = root.cli();
        gatewayPort = ServicesJson.freePort();
        do {
            cloudPort = ServicesJson.freePort();
        } while (cloudPort == gatewayPort);
        List<String> gatewayArgs = new ArrayList<>();
        GATEWAY_LINES.forEach(l -> gatewayArgs.addAll(List.of("--say", l)));
        GATEWAY_ERR_LINES.forEach(l -> gatewayArgs.addAll(List.of("--say-err", l)));
        goodCatalog = ServicesJson.catalog()
                .add(ServicesJson.fixtureDaemon("gateway", gatewayPort, root.pidFile("gateway"),
                        gatewayArgs.toArray(String[]::new)))
                .add(dependsOnGateway(ServicesJson.fixtureDaemon("cloud", cloudPort, root.pidFile("cloud"), "--chatty", "5")))
                .add(ServicesJson.shellJob("hub", "echo '{\"updates\":[1,2]}'"))
                .text();
        root.writeCatalog(goodCatalog);
        firstUp = cli.run("up");
        afterFirstUp = root.engineSnapshot().orElse(null);
    }

    private static ObjectNode dependsOnGateway(ObjectNode service) {
        service.putArray("dependsOn").add("gateway");
        return service;
    }

    @AfterAll
    static void downAndNothingLeft() {
        if (root != null) {
            root.shutDown();
        }
    }

    /** Brings every service up and healthy (after whatever an earlier test did) and returns the snapshot. */
    private static JsonNode allHealthy() {
        Optional<JsonNode> now = root.engineSnapshot();
        if (now.isPresent() && everyServiceHealthy(now.get())) {
            return now.get();
        }
        cli.expect(0, "start", "--all");
        return root.awaitSnapshot("every service running and healthy", EngineIT::everyServiceHealthy);
    }

    private static boolean everyServiceHealthy(JsonNode snapshot) {
        for (JsonNode s : snapshot.path("services")) {
            if (!TestRoot.isHealthy(s)) {
                return false;
            }
        }
        return snapshot.path("services").size() == 3;
    }

    private static long pid(JsonNode snapshot, String service) {
        JsonNode pid = service(snapshot, service).path("pid");
        assertTrue(pid.isNumber(), service + " has a pid: " + snapshot.toPrettyString());
        return pid.asLong();
    }

    // ---- up and status ------------------------------------------------------------------------

    @Test
    void upStartsTheDaemonAndPrintsEveryServiceHealthy() {
        assertEquals(0, firstUp.exit(), "up exits 0 when every service came up healthy: " + firstUp);
        assertTrue(firstUp.outLines().get(0).startsWith("Engine: running (pid "), firstUp.toString());
        StatusTableText table = StatusTableText.parse(firstUp.out());
        assertEquals(List.of("gateway", "cloud", "hub"), table.services(), "catalog order: " + firstUp);
        for (Map<String, String> row : table.rows()) {
            assertEquals("✔", row.get("badge"), row.toString());
            assertEquals("running", row.get("STATE"), row.toString());
            assertEquals("healthy", row.get("HEALTH"), row.toString());
        }
        assertEquals("3 healthy", table.summary());
        assertTrue(Files.exists(root.socket()), "the daemon listens on " + root.socket());
    }

    @Test
    void statusPrintsAnAlignedTableAndExitsZeroWhenAllAreHealthy() {
        JsonNode snapshot = allHealthy();
        Launcher.Result r = cli.expect(0, "status");
        assertTrue(r.outLines().get(0).matches("Engine: running \\(pid " + snapshot.path("engine").path("pid").asLong()
                + ", up .+, version \\S+\\)"), r.toString());
        StatusTableText table = StatusTableText.parse(r.out());
        Map<String, String> gateway = table.row("gateway");
        assertEquals("embedded", gateway.get("MANAGER"));
        assertEquals("running", gateway.get("STATE"));
        assertEquals("healthy", gateway.get("HEALTH"));
        assertEquals(String.valueOf(root.pidFromFile("gateway").orElseThrow()), gateway.get("PID"),
                "the pid is the fixture's own: " + r);
        assertTrue(gateway.get("UPTIME").matches("\\d+ (ms|s|min)"), gateway.toString());
        assertTrue(gateway.get("RESTARTS").matches("\\d+"), gateway.toString());
        assertTrue(gateway.get("LATENCY").matches("\\d+ ms"), gateway.toString());
        assertEquals("connected", gateway.get("DETAIL"));
        Map<String, String> hub = table.row("hub");
        assertEquals("engine", hub.get("MANAGER"));
        assertEquals("-", hub.get("PID"));
        assertEquals("2 updates available", hub.get("DETAIL"), "the job's JSON output is understood: " + r);
        assertEquals("3 healthy", table.summary());
    }

    @Test
    void statusJsonHasPidsLifecycleHealthAndTheJobResult() {
        allHealthy();
        Launcher.Result r = cli.expect(0, "status", "--json");
        JsonNode snapshot = r.json();
        assertFieldsPresent(snapshot, Set.of("version", "engine", "services", "at"));
        assertEquals(1, snapshot.path("version").asInt());
        JsonNode engine = snapshot.path("engine");
        assertFieldsPresent(engine, Set.of("pid", "version", "startedAt", "supervising", "catalogFile", "problems",
                "note"));
        assertTrue(engine.path("supervising").asBoolean(), r.toString());
        long enginePid = engine.path("pid").asLong();
        assertTrue(ProcessHandle.of(enginePid).map(ProcessHandle::isAlive).orElse(false), "the engine's pid is live");
        assertEquals(0, engine.path("problems").size());
        assertTrue(engine.path("note").isNull());
        assertEquals(root.catalogFile().toString(), engine.path("catalogFile").asText());

        List<String> names = new ArrayList<>();
        snapshot.path("services").forEach(s -> names.add(s.path("name").asText()));
        assertEquals(List.of("gateway", "cloud", "hub"), names);
        for (String daemon : List.of("gateway", "cloud")) {
            JsonNode s = service(snapshot, daemon);
            assertFieldsPresent(s, Set.of("name", "displayName", "kind", "manager", "enabled", "lifecycle", "health",
                    "status", "failure", "message", "pid", "startedAt", "restarts", "lastExit", "lastExitAt",
                    "latencyMs", "nextRestartAt", "attempt", "detail", "children", "job"));
            assertEquals("daemon", s.path("kind").asText());
            assertEquals("embedded", s.path("manager").asText());
            assertEquals("RUNNING", s.path("lifecycle").asText());
            assertEquals("HEALTHY", s.path("health").asText());
            assertEquals("HEALTHY", s.path("status").asText());
            assertTrue(s.path("failure").isNull());
            assertEquals(root.pidFromFile(daemon).orElseThrow().longValue(), s.path("pid").asLong(),
                    daemon + "'s pid is the fixture's own");
            assertTrue(s.path("startedAt").isTextual() && s.path("latencyMs").isNumber(), s.toPrettyString());
            assertTrue(s.path("job").isNull());
        }
        JsonNode hub = service(snapshot, "hub");
        assertEquals("job", hub.path("kind").asText());
        assertEquals("HEALTHY", hub.path("status").asText());
        assertTrue(hub.path("pid").isNull());
        assertEquals(2, hub.path("job").path("updatesAvailable").asInt(), hub.toPrettyString());
        assertEquals("ok", hub.path("job").path("lastOutcome").asText());
        assertTrue(hub.path("job").path("nextRunAt").isTextual(), hub.toPrettyString());
        assertEquals(2, hub.path("detail").path("updates").size(), "the job's JSON output is kept as detail");
    }

    @Test
    void statusOfNamedServicesShowsOnlyThoseAndAnUnknownNameIsAnError() {
        allHealthy();
        Launcher.Result one = cli.expect(0, "status", "gateway");
        assertEquals(List.of("gateway"), StatusTableText.parse(one.out()).services());
        JsonNode two = cli.expect(0, "status", "--json", "cloud", "gateway").json();
        List<String> names = new ArrayList<>();
        two.path("services").forEach(s -> names.add(s.path("name").asText()));
        assertEquals(List.of("gateway", "cloud"), names, "catalog order, whatever the order asked");

        Launcher.Result unknown = cli.run("status", "nosuch");
        assertEquals(3, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("unknown service nosuch (known: gateway, cloud, hub)"), unknown.toString());
    }

    // ---- recovery and commands ----------------------------------------------------------------

    @Test
    void aServiceKilledWithSigkillIsRestartedWithANewPid() {
        JsonNode before = allHealthy();
        long oldPid = pid(before, "gateway");
        int oldRestarts = service(before, "gateway").path("restarts").asInt();

        assertTrue(ProcessHandle.of(oldPid).orElseThrow().destroyForcibly(), "SIGKILL sent to " + oldPid);

        root.awaitSnapshot("gateway to come back with a new pid", snapshot -> {
            JsonNode s = service(snapshot, "gateway");
            return TestRoot.isHealthy(s) && s.path("pid").asLong() != oldPid;
        });
        JsonNode recovered = service(cli.expect(0, "status", "--json").json(), "gateway");
        assertEquals(oldRestarts + 1, recovered.path("restarts").asInt(), recovered.toPrettyString());
        assertTrue(recovered.path("lastExit").asText().contains("SIGKILL"), recovered.toPrettyString());
        long newPid = recovered.path("pid").asLong();
        assertEquals(newPid, root.pidFromFile("gateway").orElseThrow().longValue());

        Map<String, String> row = StatusTableText.parse(cli.expect(0, "status", "gateway").out()).row("gateway");
        assertEquals(String.valueOf(newPid), row.get("PID"));
        assertEquals(String.valueOf(oldRestarts + 1), row.get("RESTARTS"));
        assertTrue(row.get("LAST EXIT").contains("SIGKILL"), row.toString());
        assertEquals(2, root.fixturePids().size(), "one process per daemon: " + root.processesOfThisRoot());
    }

    @Test
    void stopEndsTheProcessAndFreesThePortStartBringsItBackRestartGivesANewPid() {
        long first = pid(allHealthy(), "cloud");

        Launcher.Result stop = cli.expect(0, "stop", "cloud");
        Map<String, String> stopped = StatusTableText.parse(stop.out()).row("cloud");
        assertEquals("stopped", stopped.get("STATE"), stop.toString());
        assertEquals("-", stopped.get("PID"));
        // Reported stopped only once the process is gone and its port is free: no waiting here.
        assertFalse(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false), "pid " + first + " is gone");
        assertFalse(ServicesJson.isListening(cloudPort), "port " + cloudPort + " is free");
        JsonNode cloud = service(cli.expect(1, "status", "--json").json(), "cloud");
        assertEquals("STOPPED", cloud.path("lifecycle").asText());
        assertTrue(cloud.path("pid").isNull());
        Launcher.Result status = cli.expect(1, "status");
        assertEquals("2 healthy, 1 stopped (cloud)", StatusTableText.parse(status.out()).summary());

        Launcher.Result start = cli.expect(0, "start", "cloud");
        Map<String, String> started = StatusTableText.parse(start.out()).row("cloud");
        assertEquals("running", started.get("STATE"), start.toString());
        assertEquals("healthy", started.get("HEALTH"), start.toString());
        long second = Long.parseLong(started.get("PID"));
        assertNotEquals(first, second);
        assertTrue(ServicesJson.isListening(cloudPort));

        Launcher.Result restart = cli.expect(0, "restart", "cloud");
        long third = Long.parseLong(StatusTableText.parse(restart.out()).row("cloud").get("PID"));
        assertNotEquals(second, third, "restart runs a new process");
        assertFalse(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false), "the old one is gone");
        assertTrue(ServicesJson.isListening(cloudPort));
        assertEquals(2, root.fixturePids().size(), "one process per daemon: " + root.processesOfThisRoot());
    }

    @Test
    void startAllBringsBackEveryStoppedService() {
        allHealthy();
        Launcher.Result stop = cli.expect(0, "stop", "gateway", "cloud", "hub");
        assertEquals("3 stopped (gateway, cloud, hub)", StatusTableText.parse(stop.out()).summary());
        assertEquals(List.of(), root.fixturePids(), "no fixture runs after the stop");

        Launcher.Result start = cli.expect(0, "start", "--all");
        StatusTableText table = StatusTableText.parse(start.out());
        assertEquals(List.of("gateway", "cloud", "hub"), table.services());
        assertEquals("3 healthy", table.summary(), start.toString());
        assertEquals(2, root.fixturePids().size());
    }

    @Test
    void serviceCommandsNeedServicesAndRefuseUnknownOnes() {
        for (String command : List.of("start", "stop", "restart")) {
            Launcher.Result r = cli.expect(2, command);
            assertTrue(r.err().contains("name at least one service, or use --all"), r.toString());
        }
        Launcher.Result unknown = cli.expect(3, "stop", "nosuch");
        assertTrue(unknown.err().contains("unknown service \"nosuch\" (known: gateway, cloud, hub)"), unknown.toString());
    }

    @Test
    void upStartsADependencyBeforeWhatDependsOnIt() {
        assertTrue(afterFirstUp != null, "the engine answered after up: " + firstUp);
        Instant gateway = Instant.parse(service(afterFirstUp, "gateway").path("startedAt").asText());
        Instant cloud = Instant.parse(service(afterFirstUp, "cloud").path("startedAt").asText());
        assertTrue(cloud.isAfter(gateway), "cloud (started " + cloud + ") waits for gateway (started " + gateway + ")");
    }

    @Test
    void stopTakesDependentsDownAndStartBringsDependenciesUp() {
        JsonNode before = allHealthy();
        long cloud = pid(before, "cloud");
        cli.expect(0, "stop", "gateway");
        JsonNode stopped = root.engineSnapshot().orElseThrow();
        assertEquals("STOPPED", service(stopped, "cloud").path("lifecycle").asText(), "cloud needs gateway");
        assertFalse(ProcessHandle.of(cloud).map(ProcessHandle::isAlive).orElse(false), "cloud's process is gone");

        cli.expect(0, "start", "cloud");
        JsonNode started = root.engineSnapshot().orElseThrow();
        assertTrue(TestRoot.isHealthy(service(started, "gateway")), "gateway started for cloud: " + started);
        assertTrue(TestRoot.isHealthy(service(started, "cloud")), started.toPrettyString());
    }

    @Test
    void restartOfADependencyBringsBackTheDependentsItTookDown() {
        long cloud = pid(allHealthy(), "cloud");
        Launcher.Result restart = cli.expect(0, "restart", "gateway");
        // The stop half takes cloud down with gateway; a restart must leave the system as it found it.
        JsonNode after = cli.run("status", "--json").json();
        JsonNode cloudNow = service(after, "cloud");
        assertEquals("RUNNING", cloudNow.path("lifecycle").asText(), "cloud was running before `restart gateway` "
                + "and must be running after it: " + restart + "\n" + cloudNow.toPrettyString());
        assertNotEquals(cloud, cloudNow.path("pid").asLong(), "cloud was restarted along with gateway");
    }

    // ---- logs ---------------------------------------------------------------------------------

    @Test
    void logsPrintsTheLastLinesOfStdoutOrStderr() {
        allHealthy();
        // The engine copies output through a pump: give the last lines of a fresh start a moment to land.
        Wait.until("gateway's last 5 lines in its log", () ->
                cli.run("logs", "gateway", "-n", "5").outLines().equals(GATEWAY_LINES.subList(3, 8)));
        Launcher.Result out = cli.expect(0, "logs", "gateway", "-n", "5");
        assertEquals(GATEWAY_LINES.subList(3, 8), out.outLines());
        Launcher.Result err = cli.expect(0, "logs", "gateway", "--err", "-n", "2");
        assertEquals(GATEWAY_ERR_LINES.subList(1, 3), err.outLines());
        assertEquals(List.of(), cli.expect(0, "logs", "gateway", "-n", "0").outLines());
    }

    @Test
    void logsFollowPrintsNewLinesAsTheyAreWritten() throws Exception {
        allHealthy();
        int before = lastOutNumber(cli.expect(0, "logs", "cloud", "-n", "1"));
        try (Cli.Background follow = cli.start("logs", "cloud", "-f", "-n", "0")) {
            List<Integer> numbers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String line = follow.awaitLine(l -> OUT_LINE.matcher(l).matches(), "a chatty line",
                        Duration.ofSeconds(20));
                numbers.add(Integer.parseInt(line.substring(4)));
            }
            assertTrue(numbers.get(0) > before, "only lines written after it started: " + numbers + " after " + before);
            assertEquals(List.of(numbers.get(0), numbers.get(0) + 1, numbers.get(0) + 2), numbers,
                    "every line, in order: " + follow.seen());
            assertTrue(follow.isAlive(), "it keeps following");
        }
    }

    @Test
    void logsOfAnUnknownServiceFailsNamingTheKnownOnes() {
        Launcher.Result r = cli.expect(2, "logs", "nosuch");
        assertTrue(r.err().contains("unknown service \"nosuch\" (known: gateway, cloud, hub, engine)"), r.toString());
    }

    @Test
    void logsOfTheEngineShowItsOwnLog() {
        Launcher.Result r = cli.expect(0, "logs", "engine", "-n", "10000");
        assertTrue(r.out().contains("Control socket ready at " + root.socket()), r.toString());
    }

    private static int lastOutNumber(Launcher.Result r) {
        List<String> lines = r.outLines();
        Matcher m = OUT_LINE.matcher(lines.isEmpty() ? "" : lines.get(lines.size() - 1));
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    // ---- catalog problems ---------------------------------------------------------------------

    @Test
    void aBadCatalogIsReportedWithItsLineAndTheEngineKeepsTheLastGoodOne() throws Exception {
        JsonNode before = allHealthy();
        String bad = goodCatalog.replace("\"port\" : " + gatewayPort + ",", "\"port\" : 70000,");
        int line = CliWithoutEngineIT.lineOf(bad, "\"port\" : 70000");
        try {
            root.writeCatalog(bad);
            JsonNode reloaded = reload();
            String problems = reloaded.path("engine").path("problems").toString();
            assertTrue(problems.contains("services.json:" + line + ":"), "located by line: " + problems);
            assertTrue(problems.contains("/services/0/port: must be between 1 and 65535, got 70000"), problems);
            assertTrue(reloaded.path("engine").path("note").asText().contains("last good"), reloaded.toPrettyString());

            Launcher.Result r = cli.expect(0, "status");
            assertTrue(Pattern.compile("(?m)^warning: services\\.json:" + line + ":\\d+: /services/0/port: must be "
                    + "between 1 and 65535, got 70000$").matcher(r.out()).find(), "status shows the problem: " + r);
            assertEquals("3 healthy", StatusTableText.parse(r.out()).summary(), "the services keep running");
            JsonNode after = root.engineSnapshot().orElseThrow();
            assertEquals(pid(before, "gateway"), pid(after, "gateway"), "not restarted");
            assertEquals(bad, Files.readString(root.catalogFile()), "the engine never rewrites the user's file");

            // Not even JSON: located too.
            String truncated = goodCatalog.substring(0, goodCatalog.indexOf("\"cloud\""));
            root.writeCatalog(truncated);
            String syntax = reload().path("engine").path("problems").toString();
            assertTrue(syntax.matches(".*services\\.json:\\d+:\\d+: .*"), "a syntax error has a line too: " + syntax);
            assertTrue(cli.expect(0, "status").out().contains("warning: services.json:"));
        } finally {
            root.writeCatalog(goodCatalog);
            reload();
        }
        Launcher.Result fixed = cli.expect(0, "status");
        assertFalse(fixed.out().contains("warning:"), "a good file clears the problems: " + fixed);
    }

    /** There is no CLI command for it: the control API's "reload" op re-reads services.json. */
    private static JsonNode reload() throws Exception {
        try (ControlClient client = ControlClient.connect(root.socket(), Duration.ofSeconds(5))) {
            return client.call("reload", null, Duration.ofSeconds(30));
        }
    }

    // ---- the engine's own life ----------------------------------------------------------------

    /** launchd, systemd and logon tasks restart an engine that fails: a second one must exit cleanly instead. */
    @Test
    void aSecondEngineSaysOneIsRunningAndExitsZero() {
        long enginePid = allHealthy().path("engine").path("pid").asLong();
        Launcher.Result second = cli.expect(0, "daemon");
        assertTrue(second.err().contains("an engine is already running for " + root.path()), second.toString());
        assertEquals(enginePid, allHealthy().path("engine").path("pid").asLong(), "the first one runs on");
    }

    @Test
    void daemonStopLeavesServicesRunningAndUpAdoptsThemWithoutDuplicates() throws Exception {
        JsonNode before = allHealthy();
        long enginePid = before.path("engine").path("pid").asLong();
        long gateway = pid(before, "gateway");
        long cloud = pid(before, "cloud");

        Launcher.Result stop = cli.expect(0, "daemon", "stop");
        assertTrue(stop.out().contains("Engine stopped; services keep running."), stop.toString());
        assertFalse(Files.exists(root.socket()), "the control socket is gone");
        TestRoot.awaitGone(enginePid);
        assertTrue(ProcessHandle.of(gateway).map(ProcessHandle::isAlive).orElse(false), "gateway survives");
        assertTrue(ProcessHandle.of(cloud).map(ProcessHandle::isAlive).orElse(false), "cloud survives");
        assertTrue(ServicesJson.isListening(gatewayPort) && ServicesJson.isListening(cloudPort));

        Launcher.Result unsupervised = cli.expect(1, "status");
        assertTrue(unsupervised.outLines().get(0).contains("supervision is off"), unsupervised.toString());
        StatusTableText table = StatusTableText.parse(unsupervised.out());
        assertEquals(String.valueOf(gateway), table.row("gateway").get("PID"), "one-shot status finds the process");
        assertEquals("healthy", table.row("gateway").get("HEALTH"), unsupervised.toString());

        Launcher.Result up = cli.expect(0, "up");
        JsonNode after = root.engineSnapshot().orElseThrow();
        assertNotEquals(enginePid, after.path("engine").path("pid").asLong(), "a new engine");
        assertEquals(gateway, pid(after, "gateway"), "gateway adopted, not restarted: " + up);
        assertEquals(cloud, pid(after, "cloud"), "cloud adopted, not restarted: " + up);
        TestRoot.assertSamePids(List.of(gateway, cloud), root.fixturePids());

        // The adopted process's output still reaches its log, and its death is still noticed.
        int seen = lastOutNumber(cli.expect(0, "logs", "cloud", "-n", "1"));
        Wait.until("cloud's log to grow after the adoption",
                () -> lastOutNumber(cli.run("logs", "cloud", "-n", "1")) > seen);
        assertTrue(ProcessHandle.of(gateway).orElseThrow().destroyForcibly());
        root.awaitSnapshot("the adopted gateway to be replaced after SIGKILL", snapshot -> {
            JsonNode s = service(snapshot, "gateway");
            return TestRoot.isHealthy(s) && s.path("pid").asLong() != gateway;
        });
        assertEquals(2, root.fixturePids().size(), root.processesOfThisRoot().toString());
    }

    @Test
    void doctorWithTheEngineRunningFindsNothingWrong() {
        long gateway = pid(allHealthy(), "gateway");
        Launcher.Result r = cli.expect(0, "doctor");
        assertTrue(r.out().contains("✔ engine is running and answers on " + root.socket()), r.toString());
        assertTrue(r.out().contains("✔ gateway: port " + gatewayPort + " is in use by its own process (pid " + gateway
                + ")"), r.toString());
        assertFalse(r.out().contains("✖"), "no problem: " + r);
        // The only warning a test machine may earn: no keychain answers here, so credentials would be kept
        // in the encrypted file, and doctor says so plainly.
        List<String> warnings = r.out().lines().filter(l -> l.startsWith("! ")).toList();
        assertTrue(warnings.stream().allMatch(l -> l.startsWith("! credentials are kept in an encrypted file")),
                r.toString());
        assertTrue(r.out().endsWith(warnings.isEmpty() ? "Everything looks right.\n"
                : "0 problem(s), " + warnings.size() + " warning(s).\n"), r.toString());
    }

    @Test
    void statusWatchJsonStreamsEventsOfTheNamedServiceOnly() throws Exception {
        allHealthy();
        try (Cli.Background watch = cli.start("status", "--watch", "--json", "cloud")) {
            JsonNode initial = Json.MAPPER.readTree(watch.awaitLine(l -> l.startsWith("{\"version\""),
                    "the initial snapshot", Duration.ofSeconds(20)));
            assertEquals(1, initial.path("services").size(), initial.toString());
            assertEquals("cloud", initial.path("services").get(0).path("name").asText());

            cli.expect(0, "restart", "gateway");
            cli.expect(0, "restart", "cloud");
            String stopping = watch.awaitLine(l -> l.contains("\"lifecycle\":\"STOPPING\""), "cloud stopping",
                    Duration.ofSeconds(20));
            JsonNode event = Json.MAPPER.readTree(stopping);
            assertEquals("service", event.path("event").asText());
            assertEquals("cloud", event.path("data").path("name").asText(), "filtered by name: " + watch.seen());
            watch.awaitLine(l -> l.contains("\"name\":\"cloud\"") && l.contains("\"status\":\"HEALTHY\""),
                    "cloud healthy again", Duration.ofSeconds(20));
            for (String line : watch.seen()) {
                assertFalse(line.contains("\"name\":\"gateway\""), "an event of a service not asked for: " + line);
            }
        }
    }

    // ---- the control socket against garbage ---------------------------------------------------

    @Test
    void theControlSocketAnswersGarbageWithErrorsAndKeepsServing() throws Exception {
        long enginePid = allHealthy().path("engine").path("pid").asLong();
        try (RawSocket raw = RawSocket.open(root.socket())) {
            raw.send(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 'x', '\n'});
            assertError(raw.next(), null, "bad_request", "not valid UTF-8");

            byte[] huge = new byte[2 * 1024 * 1024 + 1];
            Arrays.fill(huge, (byte) 'x');
            huge[huge.length - 1] = '\n';
            raw.send("{\"v\":1,\"id\":1,\"op\":\"snapshot\",\"pad\":\"".getBytes(StandardCharsets.UTF_8));
            raw.send(huge);
            assertError(raw.next(), null, "too_large", "exceeds 1048576 bytes");

            assertError(raw.request("{not json"), null, "bad_request", "not valid JSON");
            assertError(raw.request("[1,2]"), null, "bad_request", "must be a JSON object");
            assertError(raw.request("{\"v\":2,\"id\":2,\"op\":\"snapshot\"}"), "2", "unsupported_version", "[1]");
            assertError(raw.request("{\"v\":1,\"id\":\"u\",\"op\":\"frobnicate\"}"), "u", "unknown_op", "frobnicate");
            assertError(raw.request("{\"v\":1,\"id\":3,\"op\":\"start\",\"args\":{}}"), "3", "bad_request",
                    "name the services");
            assertError(raw.request("{\"v\":1,\"id\":4,\"op\":\"stop\",\"args\":{\"services\":[\"nosuch\"]}}"), "4",
                    "unknown_service", "nosuch");

            JsonNode hello = raw.request("{\"v\":1,\"id\":5,\"op\":\"hello\"}");
            assertTrue(hello.path("ok").asBoolean(), "the same connection still serves: " + hello);
            assertEquals(enginePid, hello.path("result").path("pid").asLong());
            assertEquals(1, hello.path("result").path("protocol").asInt());
        }
        try (RawSocket cutOff = RawSocket.open(root.socket())) {
            cutOff.send("{\"v\":1,\"id\":6,\"op\":\"snap".getBytes(StandardCharsets.UTF_8));
        }
        Launcher.Result status = cli.expect(0, "status");
        assertEquals("3 healthy", StatusTableText.parse(status.out()).summary(), "the engine keeps serving");
        assertEquals(enginePid, root.engineSnapshot().orElseThrow().path("engine").path("pid").asLong(),
                "and it is the same engine");
    }

    private static void assertError(JsonNode reply, String id, String code, String messagePart) {
        assertEquals(1, reply.path("v").asInt(), reply.toString());
        assertFalse(reply.path("ok").asBoolean(true), reply.toString());
        if (id == null) {
            assertTrue(reply.path("id").isNull(), reply.toString());
        } else {
            assertEquals(id, reply.path("id").asText(), reply.toString());
        }
        assertEquals(code, reply.path("error").path("code").asText(), reply.toString());
        assertTrue(reply.path("error").path("message").asText().contains(messagePart), reply.toString());
    }

    private static void assertFieldsPresent(JsonNode node, Set<String> fields) {
        for (String field : fields) {
            assertTrue(node.has(field), "\"" + field + "\" is part of the documented JSON (even when null): "
                    + node.toPrettyString());
        }
    }
}

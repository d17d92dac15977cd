package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.it.Launcher;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary secret, stored with {@code credential set} (value on stdin) and handed to services through
 * {@code "credential:canary/token"} env references, through a whole life of the real launcher and daemon:
 * up, status (table and JSON), logs, restart, a crash (kill -9), log rotation, a failing service, a job,
 * doctor, credential list/get, control-API calls and events, down, daemon stop. The services prove they got
 * the value (the fixture prints its SHA-256, a shell prints it and the engine must redact it); then
 * everything the run produced is searched for the canary, raw, base64 and hex: every file under the root
 * (rotated logs, engine log, state), {@code ps} output and /proc cmdlines taken while it ran, the environment
 * of every process that is not a service, every CLI output and every control reply.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SecretCanaryReliabilityIT {
    private static final String SCENARIO = "secret-canary";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void theCanaryReachesTheServicesAndNothingElse() throws Exception {
        String canary = "NXCANARY" + HexFormat.of().formatHex(java.security.SecureRandom.getInstanceStrong()
                .generateSeed(12)).toUpperCase();
        LauncherRoot r = LauncherRoot.in(temp.resolve("c"));
        List<String> observations = new CopyOnWriteArrayList<>(); // ps, /proc, environments while running
        try {
            ScenarioFigures.run(SCENARIO, figures -> {
                Launcher.Result set = r.run((canary + "\n").getBytes(StandardCharsets.UTF_8), "credential", "set", "canary/token");
                assertEquals(0, set.exit(), set.toString());
                figures.put("credentialStore", set.out().contains("encrypted-file") ? "encrypted-file" : "other");

                int port = LauncherRoot.freePort();
                ObjectNode keeper = r.fixtureDaemon("keeper", port, "--print-env", "CANARY_TOKEN", "--chatty", "100");
                keeper.putObject("env").put("CANARY_TOKEN", "credential:canary/token");
                keeper.putObject("log").put("maxSize", "2KB").put("keep", 3);
                ObjectNode echoer = LauncherRoot.shellDaemon("echoer",
                        "while :; do echo \"token=$CANARY_TOKEN\"; echo \"err=$CANARY_TOKEN\" >&2; sleep 0.05; done");
                echoer.putObject("env").put("CANARY_TOKEN", "credential:canary/token");
                echoer.putObject("log").put("maxSize", "1KB").put("keep", 2);
                ObjectNode job = Json.MAPPER.createObjectNode().put("name", "reporter").put("kind", "job");
                job.putArray("command").add("sh").add("-c").add("echo \"{\\\"token\\\": \\\"$CANARY_TOKEN\\\"}\"; echo \"$CANARY_TOKEN\" >&2");
                job.putObject("env").put("CANARY_TOKEN", "credential:canary/token");
                job.putObject("schedule").put("every", "1h").put("timeout", "20s");
                ObjectNode broken = LauncherRoot.shellDaemon("broken", "exit 1");
                broken.putArray("command").removeAll().add(r.root.resolve("no-such-program").toString());
                broken.putObject("env").put("CANARY_TOKEN", "credential:canary/token");
                r.writeCatalog(LauncherRoot.catalog(keeper, echoer, job, broken));

                r.run("up");
                r.awaitSnapshot("keeper and echoer running", WAIT,
                        s -> LauncherRoot.running(s, "keeper") && LauncherRoot.running(s, "echoer"));
                observe(r, observations, canary);

                // The services got the value: the fixture prints its hash, the shell prints it (redacted in the log).
                String expectedHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(canary.getBytes(StandardCharsets.UTF_8)));
                Path keeperLog = r.root.resolve("state/logs/keeper.log");
                Deadline.until("the keeper prints the hash of what it got", WAIT, () -> contains(keeperLog, "CANARY_TOKEN sha256="));
                assertTrue(Files.readString(keeperLog).contains("CANARY_TOKEN sha256=" + expectedHash),
                        "the service received exactly the canary (its SHA-256 is in its log)");
                Path echoerLog = r.root.resolve("state/logs/echoer.log");
                Deadline.until("the echoer's output is in its log", WAIT, () -> contains(echoerLog, "token="));
                assertTrue(Files.readString(echoerLog).contains("token=[redacted]"), "the engine redacts the value in output");

                r.run("status"); // exits 1: "broken" is down, on purpose
                JsonNode statusJson = r.run("status", "--json").json();
                assertEquals("RUNNING", LauncherRoot.service(statusJson, "keeper").path("lifecycle").asText());
                r.run("logs", "keeper", "-n", "200");
                r.run("logs", "echoer", "-n", "200");
                r.run("logs", "echoer", "--err", "-n", "200");
                r.run("logs", "reporter", "-n", "50");
                r.run("logs", "engine", "-n", "500");
                r.run("credential", "list");
                r.run("credential", "list", "--json");
                r.run("credential", "get", "canary/token");
                r.run("credential", "where");

                // Control API: what a tray or a script sees, events included.
                List<String> events = new CopyOnWriteArrayList<>();
                try (ControlClient watcher = ControlClient.connect(r.socket(), Duration.ofSeconds(5))) {
                    watcher.onEvent((name, data) -> events.add(name + " " + data));
                    r.transcript.add("subscribe → " + watcher.call("subscribe", null, Duration.ofSeconds(10)));
                    r.call("logs", Json.MAPPER.createObjectNode().put("service", "echoer").put("lines", 500));
                    r.call("logs", Json.MAPPER.createObjectNode().put("service", "keeper").put("lines", 500).put("stderr", true));
                    r.call("credentials", null);
                    r.call("credential", Json.MAPPER.createObjectNode().put("name", "canary/token"));
                    r.call("hello", null);

                    r.expect(0, "restart", "keeper");
                    // A crash: kill -9 the service; the engine restarts it with the secret again.
                    long pid = LauncherRoot.service(r.snapshot().orElseThrow(), "keeper").path("pid").asLong();
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    r.awaitSnapshot("keeper restarted after the kill", WAIT, s -> LauncherRoot.running(s, "keeper")
                            && LauncherRoot.service(s, "keeper").path("pid").asLong() != pid);
                    observe(r, observations, canary);
                    // Rotation: the chatty fixture fills 2 KB files; wait for a rotated one of each service.
                    Deadline.until("keeper's log rotated", WAIT, () -> Files.exists(r.root.resolve("state/logs/keeper.log.1")));
                    Deadline.until("echoer's log rotated", WAIT, () -> Files.exists(r.root.resolve("state/logs/echoer.log.1")));
                    r.run("restart", "echoer");
                    r.run("start", "broken");
                    r.run("status", "broken");
                    r.run("status", "--json");
                    r.expect(0, "restart", "reporter");
                    r.run("logs", "broken", "--err");
                    r.run("doctor");
                    observe(r, observations, canary);
                    r.transcript.addAll(events);
                    figures.put("eventsSeen", events.size());
                }
                r.run("status", "--json");
                List<String> left = r.shutDown();
                assertEquals(List.of(), left, "processes left after down + daemon stop");

                // Search everything the run produced; first prove the search finds the value where it is asked for.
                Map<String, byte[]> forms = forms(canary);
                Launcher.Result reveal = r.run("credential", "get", "canary/token", "--reveal");
                r.transcript.remove(r.transcript.size() - 1); // the one output that shows the value, on request
                assertTrue(!find(forms, reveal.out().getBytes(StandardCharsets.UTF_8), "reveal").isEmpty(),
                        "the search finds the canary in real output: " + reveal);
                List<String> leaks = new ArrayList<>();
                int files = 0;
                long bytes = 0;
                try (Stream<Path> all = Files.walk(r.root)) {
                    for (Path file : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                        byte[] content = Files.readAllBytes(file);
                        files++;
                        bytes += content.length;
                        leaks.addAll(find(forms, content, r.root.relativize(file).toString()));
                    }
                }
                int texts = 0;
                for (String text : r.transcript) {
                    texts++;
                    leaks.addAll(find(forms, text.getBytes(StandardCharsets.UTF_8), "output: " + firstLine(text)));
                }
                for (String text : observations) {
                    leaks.addAll(find(forms, text.getBytes(StandardCharsets.UTF_8), "while running: " + firstLine(text)));
                }
                figures.put("filesSearched", files).put("bytesSearched", bytes).put("outputsSearched", texts)
                        .put("processObservations", observations.size()).put("formsSearched", forms.size())
                        .put("serviceReceivedCanary", true).put("leaks", leaks.size());
                List<String> rotated = new ArrayList<>();
                try (Stream<Path> logs = Files.list(r.root.resolve("state/logs"))) {
                    logs.map(p -> p.getFileName().toString()).filter(n -> n.matches(".*\\.log\\.\\d+")).sorted().forEach(rotated::add);
                }
                figures.putJson("rotatedLogs", rotated);
                if (!leaks.isEmpty()) {
                    fail("the canary leaked:\n  " + String.join("\n  ", leaks));
                }
                assertTrue(rotated.stream().anyMatch(n -> n.startsWith("keeper.log.")) && rotated.stream()
                        .anyMatch(n -> n.startsWith("echoer.log.")), "rotated logs were searched: " + rotated);
            });
        } finally {
            r.shutDown();
        }
    }

    /**
     * ps output, every process's command line, and the environment of every process that the engine did not
     * start: what the engine starts (services, their children, jobs) gets the value in its environment by
     * design; the engine itself, the CLI and everything else must not have it.
     */
    private static void observe(LauncherRoot r, List<String> observations, String canary) throws Exception {
        Process ps = new ProcessBuilder("ps", "-eo", "pid,args").redirectErrorStream(true).start();
        observations.add("ps -eo pid,args\n" + new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        ps.waitFor(10, TimeUnit.SECONDS);
        long engine = r.snapshot().orElseThrow().path("engine").path("pid").asLong();
        List<LauncherRoot.Proc> procs = LauncherRoot.allProcesses();
        Map<Long, Long> parents = new java.util.HashMap<>();
        procs.forEach(p -> parents.put(p.pid(), p.ppid()));
        int servicesSkipped = 0;
        for (LauncherRoot.Proc p : procs) {
            observations.add("/proc/" + p.pid() + "/cmdline " + p.cmdline());
            if (descendsFrom(p.pid(), engine, parents)) {
                servicesSkipped++;
                continue;
            }
            observations.add("/proc/" + p.pid() + "/environ (" + p.cmdline() + ") "
                    + new String(p.environ(), StandardCharsets.UTF_8).replace('\0', '\n'));
        }
        assertTrue(servicesSkipped > 0, "the services run under the engine (pid " + engine + ")");
    }

    /** True for a process whose parent chain (as read in the same scan) reaches {@code ancestor}. */
    private static boolean descendsFrom(long pid, long ancestor, Map<Long, Long> parents) {
        long at = pid;
        for (int depth = 0; depth < 64 && at > 1; depth++) {
            Long parent = parents.get(at);
            if (parent == null) {
                return false;
            }
            if (parent == ancestor) {
                return true;
            }
            at = parent;
        }
        return false;
    }

    /** The canary as it could be written: raw, base64 (standard and URL-safe, at each alignment), hex. */
    static Map<String, byte[]> forms(String canary) {
        Map<String, byte[]> forms = new LinkedHashMap<>();
        byte[] raw = canary.getBytes(StandardCharsets.UTF_8);
        forms.put("raw", raw);
        forms.put("lower case", canary.toLowerCase().getBytes(StandardCharsets.UTF_8));
        forms.put("hex", HexFormat.of().formatHex(raw).getBytes(StandardCharsets.US_ASCII));
        forms.put("HEX", HexFormat.of().withUpperCase().formatHex(raw).getBytes(StandardCharsets.US_ASCII));
        forms.put("utf-16", canary.getBytes(StandardCharsets.UTF_16LE));
        for (int shift = 0; shift < 3; shift++) {
            byte[] shifted = new byte[shift + raw.length];
            System.arraycopy(raw, 0, shifted, shift, raw.length);
            String encoded = Base64.getEncoder().withoutPadding().encodeToString(shifted);
            // Only the characters that depend on the canary alone, whatever comes before and after it.
            int skip = shift == 0 ? 0 : (shift * 8 + 5) / 6 + 1;
            String core = encoded.substring(skip, encoded.length() - 2);
            forms.put("base64@" + shift, core.getBytes(StandardCharsets.US_ASCII));
            forms.put("base64url@" + shift, core.replace('+', '-').replace('/', '_').getBytes(StandardCharsets.US_ASCII));
        }
        return forms;
    }

    private static List<String> find(Map<String, byte[]> forms, byte[] content, String where) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, byte[]> form : forms.entrySet()) {
            int at = indexOf(content, form.getValue());
            if (at >= 0) {
                int from = Math.max(0, at - 80);
                String context = new String(content, from, Math.min(content.length, at + form.getValue().length + 40) - from,
                        StandardCharsets.UTF_8).replace("\n", "⏎");
                found.add(where + " (" + form.getKey() + "): …" + context + "…");
            }
        }
        return found;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.length() > 100 ? line.substring(0, 100) : line;
    }

    @Test
    void theSearchFindsEveryFormOfTheCanary() {
        String canary = "NXCANARY0123456789ABCDEF01234567";
        Map<String, byte[]> forms = forms(canary);
        byte[] raw = canary.getBytes(StandardCharsets.UTF_8);
        for (int pad = 0; pad < 4; pad++) {
            byte[] padded = new byte[pad + raw.length + 2];
            System.arraycopy(raw, 0, padded, pad, raw.length);
            String b64 = Base64.getEncoder().encodeToString(padded);
            String url = Base64.getUrlEncoder().encodeToString(padded);
            assertTrue(!find(forms, ("x" + b64 + "y").getBytes(StandardCharsets.US_ASCII), "t").isEmpty(), "base64 pad " + pad);
            assertTrue(!find(forms, url.getBytes(StandardCharsets.US_ASCII), "t").isEmpty(), "base64url pad " + pad);
        }
        assertTrue(!find(forms, ("k=" + HexFormat.of().formatHex(raw)).getBytes(StandardCharsets.US_ASCII), "t").isEmpty());
        assertTrue(!find(forms, ("token=" + canary).getBytes(StandardCharsets.UTF_8), "t").isEmpty());
        assertTrue(find(forms, "token=[redacted]".getBytes(StandardCharsets.UTF_8), "t").isEmpty());
    }
}

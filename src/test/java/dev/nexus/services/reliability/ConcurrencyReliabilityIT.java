package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlClient;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.it.Launcher;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients at once against one real engine (the launcher's daemon):
 * <ul>
 *   <li>credential writes to a few shared names from {@code credential set} processes (value on stdin) and
 *       from in-process facades (as the tray's settings write), while the engine reads them through the
 *       control API: every write succeeds, no read fails, and each name ends with a value that no other
 *       write to it came strictly after (the last write wins; nothing lost, nothing torn);</li>
 *   <li>start/stop commands from several control connections and CLI processes, overlapping on the same
 *       services, then one last command per service: each service ends as its last command said, with
 *       exactly one process when started and none when stopped, and every command was answered.</li>
 * </ul>
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ConcurrencyReliabilityIT {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    private static final int KEYS = 24;
    private static final int SERVICES = 8;
    private static final int MARKER_BASE = 972_100;

    @TempDir
    Path temp;

    /** One write as the test saw it: from when it was issued until its client reported success. */
    private record Write(String key, String value, long startNanos, long endNanos, String client) {
    }

    @Test
    void concurrentCredentialWritesAllLandAndTheLastOneWins() throws Exception {
        int cliClients = 4;
        // Writes are serialised by the credential lock and each is made durable (fsync of the file and of the
        // index), and a CLI process costs a JVM start: short mode 400 writes (40 by the CLI); long 2000 (1000).
        int cliWritesEach = ReliabilityMode.current().pick(10, 250);
        int apiClients = 4;
        int apiWritesEach = ReliabilityMode.current().pick(90, 250);
        LauncherRoot r = LauncherRoot.in(temp.resolve("k"));
        r.writeCatalog(LauncherRoot.catalog(LauncherRoot.shellDaemon("idle", "exec sleep 86403")));
        ScenarioFigures.run("concurrent-credential-writes", figures -> {
            r.around(() -> {
                r.expect(0, "up");
                NexusPaths paths = new NexusPaths(r.root);
                Map<String, String> env = new HashMap<>(System.getenv());
                r.environment(env);
                List<Write> writes = new CopyOnWriteArrayList<>();
                List<String> problems = new CopyOnWriteArrayList<>();
                AtomicBoolean writing = new AtomicBoolean(true);
                AtomicLong engineReads = new AtomicLong();
                // The engine reads while the writes go on, as a service start or the tray would.
                Thread reader = new Thread(() -> {
                    SplittableRandom random = new SplittableRandom(1);
                    try (ControlClient client = ControlClient.connect(r.socket(), Duration.ofSeconds(5))) {
                        while (writing.get()) {
                            client.call("credentials", null, CALL_TIMEOUT);
                            client.call("credential", Json.MAPPER.createObjectNode().put("name", key(random.nextInt(KEYS)))
                                    .put("reveal", true), CALL_TIMEOUT);
                            engineReads.addAndGet(2);
                            Thread.sleep(10); // a busy reader, not a CPU hog that starves the writers
                        }
                    } catch (Exception e) {
                        problems.add("the engine failed to read credentials during the writes: " + e);
                    }
                }, "credential-reader");
                reader.start();
                long started = System.nanoTime();
                ExecutorService pool = Executors.newFixedThreadPool(cliClients + apiClients);
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < cliClients; c++) {
                    String client = "cli" + c;
                    clients.add(pool.submit(() -> {
                        SplittableRandom random = new SplittableRandom(client.hashCode());
                        for (int i = 0; i < cliWritesEach; i++) {
                            String key = key(random.nextInt(KEYS));
                            String value = client + "-" + i + "-" + Long.toHexString(random.nextLong());
                            long t0 = System.nanoTime();
                            Launcher.Result set = r.run((value + "\n").getBytes(StandardCharsets.UTF_8),
                                    "credential", "set", key);
                            long t1 = System.nanoTime();
                            if (set.exit() != 0) {
                                problems.add("credential set " + key + " failed: " + set);
                            } else {
                                writes.add(new Write(key, value, t0, t1, client));
                            }
                        }
                        return null;
                    }));
                }
                for (int c = 0; c < apiClients; c++) {
                    String client = "app" + c;
                    clients.add(pool.submit(() -> {
                        SplittableRandom random = new SplittableRandom(client.hashCode());
                        for (int i = 0; i < apiWritesEach; i++) {
                            String key = key(random.nextInt(KEYS));
                            String value = client + "-" + i + "-" + Long.toHexString(random.nextLong());
                            long t0 = System.nanoTime();
                            try {
                                // A facade per write, as separate short-lived processes would have.
                                Credentials.open(paths, env).set(CredentialName.parse(key), Secret.of(value));
                                writes.add(new Write(key, value, t0, System.nanoTime(), client));
                            } catch (Exception e) {
                                problems.add("set " + key + " from " + client + " failed: " + e);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get(8, TimeUnit.MINUTES);
                }
                pool.shutdown();
                double seconds = (System.nanoTime() - started) / 1e9;
                writing.set(false);
                reader.join(60_000);
                assertEquals(List.of(), problems);

                // Every name ends with a value no other write to it came strictly after.
                Map<String, List<Write>> byKey = new TreeMap<>();
                writes.forEach(w -> byKey.computeIfAbsent(w.key(), k -> new ArrayList<>()).add(w));
                Credentials after = Credentials.open(paths, env);
                int checked = 0;
                for (Map.Entry<String, List<Write>> e : byKey.entrySet()) {
                    String finalValue = after.get(CredentialName.parse(e.getKey())).map(Secret::reveal).orElse(null);
                    Optional<Write> holder = e.getValue().stream().filter(w -> w.value().equals(finalValue)).findFirst();
                    assertTrue(holder.isPresent(), e.getKey() + " holds a value nobody wrote: " + finalValue);
                    for (Write other : e.getValue()) {
                        if (other.startNanos() > holder.get().endNanos()) {
                            fail(e.getKey() + " lost a write: it holds " + holder.get() + " but " + other
                                    + " was issued after that one had finished");
                        }
                    }
                    // The engine reads the same value.
                    JsonNode viaEngine = r.call("credential", Json.MAPPER.createObjectNode().put("name", e.getKey())
                            .put("reveal", true)).orElseThrow();
                    assertEquals(finalValue, viaEngine.path("value").asText(), "the engine reads the last value of " + e.getKey());
                    checked++;
                }
                JsonNode list = r.run("credential", "list", "--json").json();
                TreeSet<String> listed = new TreeSet<>();
                list.forEach(item -> {
                    listed.add(item.path("name").asText());
                    assertTrue(item.path("stored").asBoolean(), item.toString());
                });
                assertEquals(byKey.keySet(), listed, "every name written is listed exactly once");
                assertEquals(list.size(), listed.size(), "no name is listed twice");
                long cliWrites = writes.stream().filter(w -> w.client().startsWith("cli")).count();
                figures.put("writes", writes.size()).put("cliWrites", cliWrites).put("inProcessWrites", writes.size() - cliWrites)
                        .put("clients", cliClients + apiClients).put("names", byKey.size()).put("namesChecked", checked)
                        .put("engineReadsDuring", engineReads.get()).put("lostWrites", 0).put("writesPerSecond", writes.size() / seconds)
                        .put("writeSeconds", seconds);
                assertEquals(cliClients * cliWritesEach + apiClients * apiWritesEach, writes.size(), "every write succeeded");
            });
        });
    }

    @Test
    void concurrentStartAndStopEndAsTheLastCommandSaid() throws Exception {
        // Each start and stop waits for its process (about 0.2 s here): short mode 300 commands, long 1000.
        int commands = ReliabilityMode.current().pick(300, 1_000);
        int controlClients = 4;
        int cliCommands = ReliabilityMode.current().pick(12, 40);
        LauncherRoot r = LauncherRoot.in(temp.resolve("s"));
        List<ObjectNode> services = new ArrayList<>();
        for (int i = 0; i < SERVICES; i++) {
            ObjectNode s = LauncherRoot.shellDaemon("svc" + i, "exec sleep " + (MARKER_BASE + i));
            s.put("stopTimeout", "2s");
            services.add(s);
        }
        r.writeCatalog(LauncherRoot.catalog(services.toArray(ObjectNode[]::new)));
        ScenarioFigures.run("concurrent-start-stop", figures -> {
            r.around(() -> {
                r.expect(0, "up");
                AtomicInteger issued = new AtomicInteger();
                AtomicInteger answered = new AtomicInteger();
                Map<String, Integer> refusals = new ConcurrentHashMap<>();
                List<String> problems = new CopyOnWriteArrayList<>();
                long started = System.nanoTime();
                ExecutorService pool = Executors.newFixedThreadPool(controlClients + 1);
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < controlClients; c++) {
                    int seed = c;
                    clients.add(pool.submit(() -> {
                        SplittableRandom random = new SplittableRandom(seed);
                        try (ControlClient client = ControlClient.connect(r.socket(), Duration.ofSeconds(5))) {
                            while (issued.incrementAndGet() <= commands - cliCommands) {
                                String op = random.nextBoolean() ? "start" : "stop";
                                ObjectNode args = Json.MAPPER.createObjectNode();
                                int n = random.nextInt(10) == 0 ? 2 : 1;
                                for (int i = 0; i < n; i++) {
                                    args.withArray("services").add("svc" + random.nextInt(SERVICES));
                                }
                                try {
                                    client.call(op, args, CALL_TIMEOUT);
                                } catch (ControlException e) {
                                    refusals.merge(e.code(), 1, Integer::sum);
                                    if (e.code().equals("internal") || e.code().equals("timeout")) {
                                        problems.add(op + " " + args + ": " + e.code() + " " + e.getMessage());
                                    }
                                }
                                answered.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                clients.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(99);
                    for (int i = 0; i < cliCommands; i++) {
                        String op = random.nextBoolean() ? "start" : "stop";
                        Launcher.Result res = r.run(op, "svc" + random.nextInt(SERVICES));
                        if (res.exit() != 0 && res.exit() != 1) {
                            problems.add("CLI " + res);
                        }
                        answered.incrementAndGet();
                    }
                    return null;
                }));
                for (Future<?> f : clients) {
                    f.get(8, TimeUnit.MINUTES);
                }
                double stormSeconds = (System.nanoTime() - started) / 1e9;
                // The last word per service, from several clients at once (one command per service).
                SplittableRandom random = new SplittableRandom(7);
                Map<String, String> last = new TreeMap<>();
                List<Future<?>> finals = new ArrayList<>();
                for (int i = 0; i < SERVICES; i++) {
                    String name = "svc" + i;
                    String op = random.nextBoolean() ? "start" : "stop";
                    last.put(name, op);
                    finals.add(pool.submit(() -> {
                        try (ControlClient client = ControlClient.connect(r.socket(), Duration.ofSeconds(5))) {
                            ObjectNode args = Json.MAPPER.createObjectNode();
                            args.putArray("services").add(name);
                            client.call(op, args, CALL_TIMEOUT);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : finals) {
                    f.get(2, TimeUnit.MINUTES);
                }
                pool.shutdown();
                assertEquals(List.of(), problems);
                assertEquals(commands, answered.get(), "every command was answered");

                JsonNode snapshot = r.snapshot().orElseThrow();
                Map<String, String> states = new TreeMap<>();
                for (int i = 0; i < SERVICES; i++) {
                    String name = "svc" + i;
                    JsonNode s = LauncherRoot.service(snapshot, name);
                    String marker = "sleep " + (MARKER_BASE + i);
                    long processes = LauncherRoot.allProcesses().stream().filter(p -> p.cmdline().equals(marker)).count();
                    states.put(name, s.path("lifecycle").asText() + "/" + processes);
                    if (last.get(name).equals("start")) {
                        assertEquals("RUNNING", s.path("lifecycle").asText(), name + " was last started: " + s);
                        assertEquals(1, processes, name + " runs exactly once");
                    } else {
                        assertEquals("STOPPED", s.path("lifecycle").asText(), name + " was last stopped: " + s);
                        assertEquals(0, processes, name + " has no process left");
                    }
                }
                figures.put("commands", answered.get()).put("controlClients", controlClients).put("cliCommands", cliCommands)
                        .put("services", SERVICES).put("stormSeconds", stormSeconds)
                        .put("commandsPerSecond", answered.get() / stormSeconds).put("wrongFinalStates", 0);
                figures.putJson("refusals", new TreeMap<>(refusals));
                figures.putJson("finalStates", states);
            });
        });
    }

    private static String key(int i) {
        return String.format("conc/k%02d", i);
    }
}

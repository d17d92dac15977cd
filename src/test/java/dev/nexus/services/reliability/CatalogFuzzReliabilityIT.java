package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.catalog.NexusDefaults;
import dev.nexus.services.catalog.ParseOutcome;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes {@code services.json}: valid catalogs mutated by tree (wrong types, missing and extra fields, huge
 * numbers, deep nesting, odd strings) and by bytes (truncation, invalid UTF-8, stray structure), then loaded
 * through the real {@link CatalogStore} from a real file and parsed by {@link CatalogCodec}. Every case must
 * end within its deadline with either a catalog or problems that each name the file, a line and the JSON
 * pointer of the field; nothing may be thrown; a bad file is never rewritten; and the store keeps serving
 * the last good catalog.
 */
class CatalogFuzzReliabilityIT {
    private static final String SCENARIO = "fuzz-catalog";
    private static final long CASE_DEADLINE_MS = 5_000;
    /** Messages are for people: no Java internals, no parser source references. */
    private static final Pattern INTERNALS = Pattern.compile(
            "com\\.fasterxml|java\\.(lang|util|io|nio)|Exception|\\[Source:|\\bat [a-z]+\\.[a-z]+\\.");
    static final List<String> FIELD_NAMES = List.of("version", "services", "name", "displayName", "kind",
            "enabled", "command", "workingDir", "env", "manager", "dependsOn", "port", "probes", "restart",
            "stopTimeout", "log", "children", "schedule", "url", "startup", "liveness", "readiness", "type", "host",
            "token", "device", "initialDelay", "period", "timeout", "failureThreshold", "successThreshold", "policy",
            "multiplier", "maxDelay", "jitter", "resetAfter", "crashLoop", "runs", "shorterThan", "within", "file",
            "errFile", "maxSize", "keep", "probe", "every");

    @TempDir
    static Path temp;
    private static ExecutorService worker;

    @BeforeAll
    static void startWorker() {
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "catalog-fuzz-case");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopWorker() {
        worker.shutdownNow();
    }

    /** A catalog using every field the format has, so mutations reach every check of the reader. */
    static String richCatalog() {
        return """
                {
                  "version": 1,
                  "services": [
                    {
                      "name": "gateway", "displayName": "Gateway", "kind": "daemon", "enabled": true,
                      "command": ["nexus", "gateway-daemon", "--port", "18789"],
                      "workingDir": "~/work", "env": {"TOKEN": "credential:gateway/token", "MODE": "local",
                        "OP": "op://vault/item/field"},
                      "manager": "embedded", "port": 18789,
                      "probes": {
                        "startup": {"type": "websocket", "url": "ws://127.0.0.1:18789/", "period": "1s",
                          "timeout": "1s", "failureThreshold": 30},
                        "liveness": {"type": "gateway", "url": "ws://127.0.0.1:18789/", "token": "credential:gateway/token",
                          "device": true, "period": "10s", "timeout": "2s", "failureThreshold": 3, "successThreshold": 1},
                        "readiness": {"type": "http", "url": "http://127.0.0.1:18789/readyz", "initialDelay": "250ms"}
                      },
                      "restart": {"policy": "on-failure", "initialDelay": "1s", "multiplier": 2.0, "maxDelay": "1m",
                        "jitter": 0.2, "resetAfter": "1m",
                        "crashLoop": {"runs": 5, "shorterThan": "10s", "within": "5m", "maxDelay": "5m"}},
                      "stopTimeout": "10s",
                      "log": {"file": "logs/gateway.log", "errFile": "logs/gateway.err.log", "maxSize": "10MB", "keep": 5},
                      "children": [
                        {"name": "bridge", "displayName": "Bridge", "probe": {"type": "tcp", "host": "127.0.0.1", "port": 18790}},
                        {"name": "canvas", "probe": {"type": "exec", "command": ["true"], "period": "5s"}}
                      ]
                    },
                    {
                      "name": "cloud", "kind": "daemon", "command": ["nexus", "cloud"], "dependsOn": ["gateway"],
                      "probes": {"liveness": {"type": "process"}}, "restart": {"policy": "always"}
                    },
                    {
                      "name": "hub", "kind": "job", "command": ["nexus", "skills", "update"],
                      "schedule": {"every": "6h", "timeout": "2m"}
                    },
                    {
                      "name": "collab", "kind": "connection", "enabled": true, "url": "wss://collab.example/ws",
                      "probes": {"liveness": {"type": "gateway", "token": "op://vault/collab/token"}}
                    }
                  ]
                }
                """;
    }

    @Test
    void mutatedCatalogsNeverEscapeTheDocumentedProblemsAndTheLastGoodCatalogStays() throws Exception {
        int cases = ReliabilityMode.current().pick(10_000, 100_000);
        long base = FuzzRandom.baseSeed(SCENARIO);
        Long replay = FuzzRandom.replaySeed();
        ScenarioFigures.run(SCENARIO, figures -> {
            figures.put("baseSeed", base);
            NexusPaths paths = new NexusPaths(temp.resolve("root"));
            Files.createDirectories(paths.state());
            CatalogCodec codec = new CatalogCodec(paths);
            List<byte[]> bases = List.of(richCatalog().getBytes(StandardCharsets.UTF_8),
                    codec.write(NexusDefaults.catalog(paths), null).getBytes(StandardCharsets.UTF_8));
            List<JsonNode> baseTrees = new ArrayList<>();
            for (byte[] b : bases) {
                ParseOutcome outcome = codec.parse(new String(b, StandardCharsets.UTF_8), "services.json");
                assertTrue(outcome.ok(), "every base catalog is valid: " + outcome.problems());
                baseTrees.add(outcome.tree());
            }
            JsonMutator mutator = new JsonMutator(FIELD_NAMES);
            CatalogStore store = new CatalogStore(paths, codec);
            // Each refused case logs its problems as a warning: right for a user, noise at 10 000 a run.
            Logger storeLog = (Logger) LoggerFactory.getLogger(CatalogStore.class);
            Level level = storeLog.getLevel();
            storeLog.setLevel(Level.ERROR);
            Stats stats = new Stats();
            Files.write(paths.catalogFile(), bases.get(0));
            LoadResult initial = store.load();
            assertTrue(initial.ok(), "the base catalog loads: " + initial.problems());
            stats.lastGood = initial.catalog();
            long startedNanos = System.nanoTime();
            int first = replay == null ? 0 : -1;
            int last = replay == null ? cases : 0;
            FuzzFailures failures = new FuzzFailures(SCENARIO);
            for (int i = first; i < last; i++) {
                long caseSeed = replay != null ? replay : FuzzRandom.caseSeed(base, i);
                int which = Math.floorMod(caseSeed, bases.size());
                try {
                    runCase(caseSeed, bases.get(which), baseTrees.get(which), mutator, store, codec, paths, stats);
                } catch (AssertionError e) {
                    failures.add(e);
                }
            }
            storeLog.setLevel(level);
            failures.rethrow();
            double seconds = (System.nanoTime() - startedNanos) / 1e9;
            figures.put("cases", stats.cases).put("validAfterMutation", stats.valid).put("refused", stats.refused)
                    .put("notUtf8", stats.notUtf8).put("syntaxErrors", stats.syntax).put("problemsChecked", stats.problems)
                    .put("roundTrips", stats.roundTrips).put("maxCaseMs", stats.maxCaseNanos / 1e6)
                    .put("casesPerSecond", stats.cases / seconds).put("caseDeadlineMs", CASE_DEADLINE_MS);
            assertTrue(replay != null || stats.cases >= cases, "ran " + stats.cases + " cases");
            assertTrue(replay != null || stats.refused > cases / 4, "most mutations must be refused: " + stats.refused);
        });
    }

    static final class Stats {
        int cases;
        int valid;
        int refused;
        int notUtf8;
        int syntax;
        long problems;
        int roundTrips;
        long maxCaseNanos;
        /** What the store must fall back to: the catalog of the last file that loaded without errors. */
        Catalog lastGood;
    }

    private static void runCase(long caseSeed, byte[] baseText, JsonNode baseTree, JsonMutator mutator,
                                CatalogStore store, CatalogCodec codec, NexusPaths paths, Stats stats) throws Exception {
        FuzzRandom r = new FuzzRandom(caseSeed);
        Catalog lastGood = stats.lastGood;

        byte[] text;
        int style = r.nextInt(10);
        if (style < 5) {
            text = JsonMutator.toBytes(mutator.mutateTree(baseTree, r, r.between(1, 3)), r.chance(0.7));
        } else if (style < 8) {
            text = mutator.mutateBytes(baseText, r, r.between(1, 3));
        } else {
            byte[] tree = JsonMutator.toBytes(mutator.mutateTree(baseTree, r, r.between(1, 2)), true);
            text = mutator.mutateBytes(tree, r, r.between(1, 2));
        }
        Files.write(paths.catalogFile(), text);
        byte[] written = text;

        long started = System.nanoTime();
        Future<CaseOutcome> future = worker.submit(() -> {
            LoadResult loaded = store.load();
            String decoded = strictUtf8(written);
            ParseOutcome parsed = decoded == null ? null : codec.parse(decoded, "services.json");
            return new CaseOutcome(loaded, parsed, decoded);
        });
        CaseOutcome outcome;
        try {
            outcome = future.get(CASE_DEADLINE_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("the catalog case did not finish within " + CASE_DEADLINE_MS + " ms: "
                    + FuzzRandom.replayHint(caseSeed) + "\n" + preview(written), e);
        } catch (ExecutionException e) {
            throw new AssertionError("reading the catalog threw " + e.getCause() + ": " + FuzzRandom.replayHint(caseSeed)
                    + "\n" + preview(written), e.getCause());
        }
        stats.maxCaseNanos = Math.max(stats.maxCaseNanos, System.nanoTime() - started);
        stats.cases++;
        String where = FuzzRandom.replayHint(caseSeed);
        check(outcome, lastGood, store, codec, stats, where, written);
        assertTrue(Arrays.equals(written, Files.readAllBytes(paths.catalogFile())),
                "loading must never rewrite the user's file: " + where);
    }

    private record CaseOutcome(LoadResult loaded, ParseOutcome parsed, String decoded) {
    }

    private static void check(CaseOutcome outcome, Catalog lastGood, CatalogStore store, CatalogCodec codec, Stats stats,
                              String where, byte[] text) {
        LoadResult loaded = outcome.loaded();
        if (loaded.ok()) {
            stats.valid++;
            assertTrue(outcome.parsed() != null && outcome.parsed().ok(), "store and codec agree: " + where);
            assertEquals(loaded.catalog(), store.current(), "a good file is the catalog in force: " + where);
            stats.lastGood = loaded.catalog();
            // A catalog the reader accepts must survive the writer: the same catalog back, unknown fields kept.
            String rewritten = codec.write(loaded.catalog(), outcome.parsed().tree());
            ParseOutcome again = codec.parse(rewritten, "services.json (rewritten)");
            assertTrue(again.ok(), "a rewritten valid catalog parses: " + again.problems() + "; " + where
                    + "\n" + preview(text) + "\n--- rewritten ---\n" + rewritten);
            assertEquals(loaded.catalog(), again.catalog(), "write then read gives the same catalog: " + where);
            stats.roundTrips++;
            return;
        }
        stats.refused++;
        assertTrue(loaded.usedLastGood(), "a bad file falls back: " + where);
        assertEquals(lastGood, loaded.catalog(), "the last good catalog is the one returned: " + where);
        assertEquals(lastGood, store.current(), "the last good catalog stays in force: " + where);
        if (outcome.decoded() == null) {
            stats.notUtf8++;
            CatalogProblem p = loaded.errors().get(0);
            assertEquals("services.json", p.source(), where);
            assertTrue(p.message().contains("UTF-8"), "says the file is not UTF-8: " + p + "; " + where);
            return;
        }
        ParseOutcome parsed = outcome.parsed();
        assertTrue(!parsed.ok(), "store and codec agree that the text is bad: " + where);
        assertEquals(loaded.errors(), parsed.errors(), "the store reports the codec's problems: " + where);
        if (parsed.tree() == null) {
            stats.syntax++;
        }
        for (CatalogProblem p : parsed.errors()) {
            stats.problems++;
            assertEquals("services.json", p.source(), where);
            assertTrue(p.isError(), where);
            assertTrue(!p.message().isBlank(), "a problem says what is wrong: " + p + "; " + where);
            assertTrue(p.line() >= 1 && p.column() >= 1, "a problem in readable text has a line and column: " + p
                    + "; " + where + "\n" + preview(text));
            assertTrue(p.toString().length() < 2_000, "a problem is one readable line, not a dump: "
                    + clip(p.toString()) + "; " + where);
            assertTrue(!INTERNALS.matcher(p.message()).find(), "no Java internals in: " + p + "; " + where);
            assertTrue(p.toString().chars().noneMatch(Character::isISOControl),
                    "no raw control characters (a terminal would obey them): " + p + "; " + where);
            if (parsed.tree() != null) {
                assertTrue(p.pointer().isEmpty() || p.pointer().startsWith("/"), "a JSON pointer: " + p + "; " + where);
                JsonPointer pointer = JsonPointer.compile(p.pointer());
                JsonNode parent = pointer.head() == null ? parsed.tree() : parsed.tree().at(pointer.head());
                assertTrue(p.pointer().isEmpty() || !parent.isMissingNode(),
                        "the pointer names a field of an object that is in the file: " + p + "; " + where);
            }
        }
        for (CatalogProblem w : parsed.warnings()) {
            assertTrue(!INTERNALS.matcher(w.message()).find(), "no Java internals in: " + w + "; " + where);
            assertTrue(w.toString().length() < 2_000 && w.toString().chars().noneMatch(Character::isISOControl),
                    "a warning is one clean line: " + clip(w.toString()) + "; " + where);
        }
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String clip(String text) {
        return text.length() > 160 ? text.substring(0, 160) + "…(" + text.length() + " chars)" : text;
    }

    static String preview(byte[] text) {
        String s = new String(text, StandardCharsets.UTF_8);
        return "--- case text (" + text.length + " bytes) ---\n" + (s.length() > 3000 ? s.substring(0, 3000) + "…" : s);
    }

    static {
        // Keep Json initialised before the first case's deadline starts.
        Json.MAPPER.getNodeFactory();
    }

    @Test
    void theFuzzerItselfProducesRefusedAndAcceptedCasesReproducibly() {
        JsonMutator mutator = new JsonMutator(FIELD_NAMES);
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(richCatalog());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        byte[] a = JsonMutator.toBytes(mutator.mutateTree(tree, new FuzzRandom(7), 3), false);
        byte[] b = JsonMutator.toBytes(mutator.mutateTree(tree, new FuzzRandom(7), 3), false);
        assertTrue(Arrays.equals(a, b), "the same seed gives the same case");
        if (Arrays.equals(a, JsonMutator.toBytes(tree, false))) {
            fail("a mutation changed nothing");
        }
    }
}

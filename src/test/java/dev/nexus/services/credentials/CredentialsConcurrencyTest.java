package dev.nexus.services.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.support.NexusPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over 1000 writes through {@link Credentials} with the encrypted-file store from four threads of this
 * JVM and two child JVMs at the same time: no entry of the index is lost or torn, every name has
 * consistent created/updated times, and every value reads back as the last one written.
 */
class CredentialsConcurrencyTest {
    private static final int THREADS = 4;
    private static final int PROCESSES = 2;
    private static final int NAMES_PER_WRITER = 100;
    private static final int REWRITES_PER_WRITER = 67;

    @TempDir
    Path root;

    /** The facade over the encrypted-file store of {@code paths} only (whatever keychain this machine has). */
    static Credentials fileCredentials(NexusPaths paths) {
        return Credentials.using(List.of(EncryptedFileStore.at(paths)), CredentialIndex.at(paths), Clock.systemUTC());
    }

    /** Sets every name once, then the first {@code rewrites} again; returns the number of writes. */
    static int writeAll(Credentials credentials, String writer, int names, int rewrites) throws CredentialException {
        int writes = 0;
        for (int round = 1; round <= 2; round++) {
            int count = round == 1 ? names : rewrites;
            for (int i = 0; i < count; i++) {
                CredentialName name = nameOf(writer, i);
                credentials.set(name, Secret.of(valueOf(name, round)));
                writes++;
            }
        }
        return writes;
    }

    static CredentialName nameOf(String writer, int i) {
        return new CredentialName(writer, "n" + i);
    }

    static String valueOf(CredentialName name, int round) {
        return "round-" + round + "-of-" + name + "-ünï-🔑";
    }

    @Test
    void writesFromThreadsAndProcessesAreAllKept() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        Instant start = Instant.now();
        List<Process> children = new ArrayList<>();
        for (int p = 0; p < PROCESSES; p++) {
            ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(ConcurrentWriterMain.class,
                    List.of(root.toString(), "p" + p, String.valueOf(NAMES_PER_WRITER), String.valueOf(REWRITES_PER_WRITER))));
            builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
            builder.environment().put("HOME", root.toString());
            builder.redirectError(root.resolve("writer-p" + p + ".err").toFile());
            children.add(builder.start());
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<Integer>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String writer = "t" + t;
            // Each thread opens its own facade, as separate callers in one engine would.
            threads.add(pool.submit(() -> writeAll(fileCredentials(paths), writer, NAMES_PER_WRITER, REWRITES_PER_WRITER)));
        }
        int writes = 0;
        for (Future<Integer> thread : threads) {
            writes += thread.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        for (int p = 0; p < children.size(); p++) {
            Process child = children.get(p);
            assertTrue(child.waitFor(5, TimeUnit.MINUTES), "writer p" + p + " finished");
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, child.exitValue(), out + Files.readString(root.resolve("writer-p" + p + ".err")));
            assertTrue(out.startsWith("done "), out);
            writes += Integer.parseInt(out.substring("done ".length()));
        }
        Instant end = Instant.now();
        assertTrue(writes >= 1000, "wrote " + writes);

        Credentials credentials = fileCredentials(paths);
        List<CredentialInfo> index = credentials.list();
        Map<CredentialName, CredentialInfo> byName = new HashMap<>();
        index.forEach(info -> byName.put(info.name(), info));
        assertEquals((THREADS + PROCESSES) * NAMES_PER_WRITER, index.size(), "every name is in the index exactly once");
        for (String writer : writers()) {
            for (int i = 0; i < NAMES_PER_WRITER; i++) {
                CredentialName name = nameOf(writer, i);
                CredentialInfo info = byName.get(name);
                assertTrue(info != null, name + " is in the index");
                assertEquals(EncryptedFileStore.ID, info.backend());
                assertFalse(info.created().isBefore(start) || info.updated().isAfter(end), info.toString());
                boolean rewritten = i < REWRITES_PER_WRITER;
                assertTrue(rewritten ? info.updated().isAfter(info.created()) : info.updated().equals(info.created()), info.toString());
                assertEquals(valueOf(name, rewritten ? 2 : 1), credentials.get(name).orElseThrow().reveal(), name.toString());
            }
        }
        Set<CredentialName> inFile = EncryptedFileStore.at(paths).names();
        assertEquals(new TreeSet<>(byName.keySet()), inFile, "the store and the index hold the same names");
    }

    private static List<String> writers() {
        List<String> writers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            writers.add("t" + t);
        }
        for (int p = 0; p < PROCESSES; p++) {
            writers.add("p" + p);
        }
        return writers;
    }
}

package dev.nexus.services.connect;

import dev.nexus.services.credentials.Secret;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (bench/gateway-reconnect, docs/BENCHMARKS.md (gateway section)): how long from {@code forceReconnect()}
 * on N live gateway sessions until every one of them has a new hello-ok. That is the part of "wake signal
 * to all sessions reconnecting" that happens after the wake hook fires.
 *
 * <p>The gateway is the protocol-speaking test server run as its own JVM (as a real gateway is its own
 * process), on 127.0.0.1, with the token check on. The clients are real {@link GatewayClient}s on the
 * shared defaults the engine uses (one HTTP client with two I/O threads, one timer thread). Each round
 * forces all N sessions at once, as the wake hook does; the first rounds warm the JIT and are not counted.
 *
 * <pre>
 *   --sessions 1,4,16,64   session counts to measure (default 1,4,16)
 *   --rounds 50            counted rounds per count (default 50)
 *   --warmup 10            uncounted rounds first (default 10)
 * </pre>
 */
public final class GatewayReconnectBench {
    private GatewayReconnectBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(1, 4, 16);
        int rounds = 50;
        int warmup = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sessions" -> counts = parseCounts(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (expected --sessions, --rounds, --warmup)");
            }
        }
        Process gateway = startGateway();
        try {
            int port = awaitPort(gateway);
            URI url = URI.create("ws://127.0.0.1:" + port + "/");
            System.out.printf(Locale.ROOT, "gateway-reconnect: forceReconnect() -> new hello-ok on every session%n");
            System.out.printf(Locale.ROOT, "  gateway: test protocol server in its own JVM on %s, token auth on%n", url);
            System.out.printf(Locale.ROOT, "  machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name"), System.getProperty("java.version"));
            for (int n : counts) {
                measure(url, n, rounds, warmup);
            }
        } finally {
            gateway.destroy();
            gateway.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void measure(URI url, int n, int rounds, int warmup) throws Exception {
        List<GatewayClient> clients = new ArrayList<>();
        // First time each session is back in the current round; the round ends when all are.
        ConcurrentHashMap<GatewayClient, Long> connectedAt = new ConcurrentHashMap<>();
        CountDownLatch[] round = {new CountDownLatch(n)};
        List<String> failedTries = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            GatewayClient[] self = new GatewayClient[1];
            self[0] = GatewayClient.builder(url).token(GatewayToken.of(Secret.of("bench-token")))
                    .listener(s -> {
                        if (self[0] == null) {
                            return;
                        }
                        if (s.connection().connected() && connectedAt.putIfAbsent(self[0], System.nanoTime()) == null) {
                            round[0].countDown();
                        } else if (s.connection().phase() == ConnectionState.Phase.WAITING) {
                            failedTries.add(s.connection().message());
                        }
                    }).build();
            clients.add(self[0]);
        }
        clients.forEach(GatewayClient::start);
        if (!round[0].await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(n + " sessions did not connect within 30 s");
        }
        failedTries.clear();
        List<Double> all = new ArrayList<>();
        List<Double> each = new ArrayList<>();
        for (int r = 0; r < warmup + rounds; r++) {
            Thread.sleep(20); // let the previous round's closes settle
            connectedAt.clear();
            round[0] = new CountDownLatch(n);
            long start = System.nanoTime();
            for (GatewayClient c : clients) {
                c.forceReconnect();
            }
            if (!round[0].await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("round " + r + ": not every session was back within 30 s");
            }
            if (r >= warmup) {
                long last = 0;
                for (long t : connectedAt.values()) {
                    each.add((t - start) / 1e6);
                    last = Math.max(last, t);
                }
                all.add((last - start) / 1e6);
            }
        }
        clients.forEach(GatewayClient::close);
        System.out.printf(Locale.ROOT, "  %3d sessions: all back  %s%n", n, describe(all));
        System.out.printf(Locale.ROOT, "  %3d sessions: each back %s%n", n, describe(each));
        if (!failedTries.isEmpty()) {
            System.out.printf(Locale.ROOT, "  %3d sessions: %d tries failed and waited for the backoff, e.g. \"%s\"%n",
                    n, failedTries.size(), failedTries.get(0));
        }
    }

    private static String describe(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int size = v.size();
        double median = size % 2 == 1 ? v.get(size / 2) : (v.get(size / 2 - 1) + v.get(size / 2)) / 2;
        double p90 = v.get((int) Math.ceil(0.9 * size) - 1);
        return String.format(Locale.ROOT, "median %.1f ms, p90 %.1f ms, min %.1f, max %.1f (n=%d)", median, p90,
                v.get(0), v.get(size - 1), size);
    }

    private static Process startGateway() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                TestGateway.class.getName(), "--port", "0", "--token", "bench-token", "--tick-ms", "30000")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int awaitPort(Process gateway) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                break;
            }
            if (line.startsWith("listening ")) {
                return Integer.parseInt(line.substring("listening ".length()).trim());
            }
        }
        throw new IllegalStateException("the test gateway did not start (class path " + System.getProperty("java.class.path")
                .split(File.pathSeparator).length + " entries)");
    }

    private static List<Integer> parseCounts(String text) {
        List<Integer> counts = new ArrayList<>();
        for (String part : text.split(",")) {
            counts.add(Integer.parseInt(part.trim()));
        }
        return counts;
    }
}

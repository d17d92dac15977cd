package dev.nexus.services.bench;

import java.util.ArrayList;
import java.util.List;

/** The services.json of each benchmark (format: CatalogCodec's class comment). */
final class Catalogs {
    private Catalogs() {
    }

    /**
     * Four supervised daemons ({@code sleep}), each with a tcp liveness probe every 5 s to the
     * harness's listener: real children, real pump threads, real probes, and nothing else running.
     */
    static String fourDaemons(int port) {
        List<String> services = new ArrayList<>();
        for (String name : List.of("gateway", "cloud", "hub", "collab")) {
            services.add("""
                    {"name": "%s", "kind": "daemon", "command": ["sleep", "100000"],
                     "probes": {"liveness": {"type": "tcp", "port": %d, "period": "5s", "timeout": "2s",
                                             "failureThreshold": 3}}}""".formatted(name, port));
        }
        return catalog(services);
    }

    /**
     * {@code n} connection entries, each with a tcp liveness probe every second to the harness's
     * listener. No child processes: what is measured is the engine's probing, scheduling and state
     * keeping for n services (a daemon would add its own process, pump threads and exit watcher).
     */
    static String connections(int n, int port) {
        List<String> services = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            services.add("""
                    {"name": "c%04d", "kind": "connection", "url": "ws://127.0.0.1:%d/",
                     "probes": {"liveness": {"type": "tcp", "port": %d, "period": "1s", "timeout": "1s",
                                             "failureThreshold": 3}}}""".formatted(i, port, port));
        }
        return catalog(services);
    }

    /**
     * One daemon that is restarted 50 ms after every exit, with no backoff growth, no jitter and a
     * crash-loop threshold it never reaches, so it can be killed a hundred times in a row.
     */
    static String crashVictim() {
        return catalog(List.of("""
                {"name": "victim", "kind": "daemon", "command": ["sleep", "100000"],
                 "restart": {"policy": "always", "initialDelay": "50ms", "multiplier": 1, "maxDelay": "50ms",
                             "jitter": 0, "resetAfter": "1s",
                             "crashLoop": {"runs": 1000000, "shorterThan": "1s", "within": "1s", "maxDelay": "50ms"}}}"""));
    }

    private static String catalog(List<String> services) {
        return "{\"version\": 1, \"services\": [\n" + String.join(",\n", services) + "\n]}\n";
    }
}

package dev.nexus.services.catalog;

import dev.nexus.services.support.NexusPaths;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The catalog written on first run: the four Nexus services as Nexus ships them. */
public final class NexusDefaults {
    public static final int GATEWAY_PORT = 18789;
    public static final int BRIDGE_PORT = 18790;
    public static final int BROWSER_CONTROL_PORT = 18791;
    public static final int CANVAS_PORT = 18793;

    private NexusDefaults() {
    }

    public static Catalog catalog(NexusPaths paths) {
        return new Catalog(Catalog.CURRENT_VERSION, List.of(localGateway(paths), cloud(paths), hub(paths), collab(paths)));
    }

    /** The gateway as Nexus ships it: a local daemon on 18789 ({@code gateway.mode} local). */
    public static ServiceSpec localGateway(NexusPaths paths) {
        URI url = URI.create("ws://127.0.0.1:" + GATEWAY_PORT + "/");
        // Startup only waits for the socket to open; steady state speaks the gateway's protocol over one
        // long-lived session (health, channels, tick heartbeat).
        ProbeCheck ws = new ProbeCheck.WebSocket(url);
        ProbeCheck session = new ProbeCheck.Gateway(url);
        List<ChildSpec> children = List.of(
                child("bridge", "Bridge", BRIDGE_PORT),
                child("browser-control", "Browser control", BROWSER_CONTROL_PORT),
                child("canvas", "Canvas", CANVAS_PORT));
        return new ServiceSpec("gateway", "Gateway", ServiceKind.DAEMON, true, List.of("nexus", "gateway-daemon"),
                paths.home(), Map.of(), ManagerKind.AUTO, List.of(), GATEWAY_PORT,
                new Probes(ProbeSpec.startup(ws), ProbeSpec.liveness(session), ProbeSpec.readiness(session)),
                RestartSpec.DEFAULT,
                ServiceSpec.DEFAULT_STOP_TIMEOUT, CatalogFormat.defaultLog(paths, "gateway"), children, null, null);
    }

    /**
     * The gateway when {@code gateway.mode} is remote: no local process, the same session to a remote
     * {@code ws://} or {@code wss://} URL, kept up by the engine as a connection.
     */
    public static ServiceSpec remoteGateway(NexusPaths paths, URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("a remote gateway URL is ws:// or wss://, got " + url);
        }
        ProbeCheck session = new ProbeCheck.Gateway(url);
        return new ServiceSpec("gateway", "Gateway", ServiceKind.CONNECTION, true, List.of(), paths.home(), Map.of(),
                ManagerKind.AUTO, List.of(), null, new Probes(null, ProbeSpec.liveness(session), ProbeSpec.readiness(session)),
                RestartSpec.DEFAULT, ServiceSpec.DEFAULT_STOP_TIMEOUT, CatalogFormat.defaultLog(paths, "gateway"),
                List.of(), null, url);
    }

    private static ChildSpec child(String name, String displayName, int port) {
        return new ChildSpec(name, displayName, ProbeSpec.readiness(new ProbeCheck.Tcp(CatalogFormat.DEFAULT_TCP_HOST, port)));
    }

    private static ServiceSpec cloud(NexusPaths paths) {
        // Sync status is slow to compute and changes slowly: ask every 30 s, allow 5 s to answer.
        ProbeSpec status = new ProbeSpec(new ProbeCheck.Exec(List.of("nexus", "cloud", "status", "--json")),
                Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(5), 2, 1);
        return new ServiceSpec("cloud", "Nexus Cloud", ServiceKind.DAEMON, true, List.of("nexus", "cloud"),
                paths.home(), Map.of(), ManagerKind.AUTO, List.of(), null,
                new Probes(null, ProbeSpec.liveness(new ProbeCheck.ProcessAlive()), status), RestartSpec.DEFAULT,
                ServiceSpec.DEFAULT_STOP_TIMEOUT, CatalogFormat.defaultLog(paths, "cloud"), List.of(), null, null);
    }

    private static ServiceSpec hub(NexusPaths paths) {
        return new ServiceSpec("hub", "Nexus Hub", ServiceKind.JOB, true,
                List.of("nexus", "skills", "update", "--check"), paths.home(), Map.of(), ManagerKind.AUTO, List.of(),
                null, Probes.NONE, RestartSpec.DEFAULT, ServiceSpec.DEFAULT_STOP_TIMEOUT,
                CatalogFormat.defaultLog(paths, "hub"), List.of(),
                new JobSpec(Duration.ofHours(6), Duration.ofMinutes(2)), null);
    }

    private static ServiceSpec collab(NexusPaths paths) {
        // Disabled until the user gives the collaboration server's URL.
        return new ServiceSpec("collab", "Nexus Collab", ServiceKind.CONNECTION, false, List.of(), paths.home(),
                Map.of(), ManagerKind.AUTO, List.of(), null, Probes.NONE, RestartSpec.DEFAULT,
                ServiceSpec.DEFAULT_STOP_TIMEOUT, CatalogFormat.defaultLog(paths, "collab"), List.of(), null, null);
    }
}

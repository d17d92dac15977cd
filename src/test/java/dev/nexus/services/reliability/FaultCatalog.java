package dev.nexus.services.reliability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The services.json of a scenario: fixture daemons ({@link dev.nexus.services.fixtures.FixtureService})
 * on ephemeral ports, each with a marker on its command line ({@code --say <marker>}) so that the
 * process table shows which process is which service's.
 */
final class FaultCatalog {
    private final ObjectNode root = Json.MAPPER.createObjectNode();
    private final ArrayNode services;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    FaultCatalog() {
        root.put("version", 1);
        services = root.putArray("services");
    }

    FaultCatalog add(ObjectNode service) {
        services.add(service);
        return this;
    }

    String text() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The marker on the command line of {@code service}'s own process (not on a grandchild's). */
    static String marker(FaultRig rig, String service) {
        return "fault-marker-" + rig.root().getFileName() + "-" + service + "-leader";
    }

    /**
     * A fixture daemon: {@code args} for the fixture, {@code port} (null for none) as the service's port
     * with 100 ms TCP probes (startup: up to 20 s; liveness: 3 failures), restarted 100 ms after an
     * exit (up to 1 s; 1 s in a crash loop too, so a storm of kills never waits minutes).
     */
    static ObjectNode daemon(FaultRig rig, String name, Integer port, String... args) {
        List<String> argv = new ArrayList<>(List.of("--say", marker(rig, name), "--pid-file", rig.pidFile(name).toString()));
        argv.addAll(List.of(args));
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("name", name);
        s.put("kind", "daemon");
        Fixtures.command(argv.toArray(String[]::new)).forEach(s.putArray("command")::add);
        ObjectNode probes = s.putObject("probes");
        if (port != null) {
            s.put("port", port);
            tcp(probes.putObject("startup"), port).put("failureThreshold", 200);
            tcp(probes.putObject("liveness"), port).put("failureThreshold", 3);
        } else {
            probes.putObject("liveness").put("type", "process").put("period", "100ms");
        }
        ObjectNode restart = s.putObject("restart");
        restart.put("initialDelay", "100ms").put("maxDelay", "1s");
        restart.putObject("crashLoop").put("maxDelay", "1s");
        s.put("stopTimeout", "2s");
        return s;
    }

    private static ObjectNode tcp(ObjectNode probe, int port) {
        return probe.put("type", "tcp").put("port", port).put("period", "100ms").put("timeout", "1s");
    }

    /** An ephemeral port nobody listens on now, and not handed to another service of this JVM. */
    static synchronized int freePort() {
        while (true) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port", e);
            }
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

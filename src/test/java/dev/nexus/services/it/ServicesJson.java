package dev.nexus.services.it;

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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds the services.json the tests run: fixture daemons on ports picked at run time, and jobs. */
final class ServicesJson {
    private final ObjectNode root = Json.MAPPER.createObjectNode();
    private final ArrayNode services;

    private ServicesJson() {
        root.put("version", 1);
        services = root.putArray("services");
    }

    static ServicesJson catalog() {
        return new ServicesJson();
    }

    ServicesJson add(ObjectNode service) {
        services.add(service);
        return this;
    }

    ObjectNode tree() {
        return root.deepCopy();
    }

    /** Pretty-printed: one field per line, so that a problem's line number means something. */
    String text() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fixture daemon listening on {@code port}, writing its pid to {@code pidFile} (which also puts the
     * test root into its command line, so a scan of /proc finds it), probed over TCP every 200 ms and
     * restarted 100 ms after a crash.
     */
    static ObjectNode fixtureDaemon(String name, int port, Path pidFile, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--listen", Integer.toString(port), "--pid-file", pidFile.toString()));
        args.addAll(Arrays.asList(extraArgs));
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("name", name);
        s.put("kind", "daemon");
        Fixtures.command(args.toArray(String[]::new)).forEach(s.putArray("command")::add);
        s.put("port", port);
        ObjectNode probes = s.putObject("probes");
        // A JVM fixture needs about half a second to listen; allow 20 s on a busy machine.
        tcpProbe(probes.putObject("startup"), port).put("failureThreshold", 100);
        tcpProbe(probes.putObject("liveness"), port).put("failureThreshold", 3);
        restartQuickly(s);
        s.put("stopTimeout", "5s");
        return s;
    }

    /** A fixture process with no port and no probes (healthy while it lives), e.g. one that exits with 78. */
    static ObjectNode fixtureProcess(String name, Path pidFile, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--pid-file", pidFile.toString()));
        args.addAll(Arrays.asList(extraArgs));
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("name", name);
        s.put("kind", "daemon");
        Fixtures.command(args.toArray(String[]::new)).forEach(s.putArray("command")::add);
        ObjectNode probes = s.putObject("probes");
        probes.putObject("liveness").put("type", "process").put("period", "200ms");
        restartQuickly(s);
        s.put("stopTimeout", "5s");
        return s;
    }

    /** A job that runs {@code sh -c script} once an hour (and at every start). */
    static ObjectNode shellJob(String name, String script) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("name", name);
        s.put("kind", "job");
        s.putArray("command").add("sh").add("-c").add(script);
        s.putObject("schedule").put("every", "1h").put("timeout", "20s");
        return s;
    }

    private static ObjectNode tcpProbe(ObjectNode probe, int port) {
        return probe.put("type", "tcp").put("port", port).put("period", "200ms").put("timeout", "1s");
    }

    private static void restartQuickly(ObjectNode service) {
        service.putObject("restart").put("initialDelay", "100ms").put("maxDelay", "1s");
    }

    /**
     * An ephemeral port nobody listens on right now: bound and released. Another program could take it
     * before the fixture does; the kernel hands ephemeral ports out in turn, which makes that unlikely.
     */
    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    static boolean isListening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

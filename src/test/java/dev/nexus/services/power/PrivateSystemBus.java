package dev.nexus.services.power;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code dbus-daemon} standing in for the system bus: a system-type configuration that
 * listens on a socket in a temp dir and lets everyone own and send anything (the policy logind's
 * sender check must not rely on). Nothing touches the machine's own system bus: the address is handed
 * to the code under test explicitly, or to a child through {@code DBUS_SYSTEM_BUS_ADDRESS}.
 */
public final class PrivateSystemBus implements AutoCloseable {
    /** Debian's python3, where python3-dbus and python3-gi install (a pyenv python3 on PATH has neither). */
    private static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private String address;

    private PrivateSystemBus(Path dir) {
        this.dir = dir;
    }

    /** Whether dbus-daemon, dbus-send and a python3 with dbus and gi are installed (scripts/test installs them). */
    public static boolean toolsInstalled() {
        return onPath("dbus-daemon") && onPath("dbus-send") && python() != null;
    }

    /** The python3 that can import dbus and gi, or null. */
    static String python() {
        for (String candidate : PYTHONS) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import dbus, dbus.mainloop.glib; from gi.repository import GLib")
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // not this one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    public static PrivateSystemBus start(Path dir) throws IOException {
        PrivateSystemBus bus = new PrivateSystemBus(dir);
        try {
            bus.startDaemon();
            return bus;
        } catch (IOException | RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    public String address() {
        return address;
    }

    Path dir() {
        return dir;
    }

    /** Starts the stand-in for logind on this bus. */
    public LogindStandIn startLogind() throws IOException {
        LogindStandIn logind = LogindStandIn.start(python(), script(), address, dir);
        return logind;
    }

    /**
     * Sends PrepareForSleep(start) from a connection of its own, as any local user could:
     * broadcast when {@code destination} is null, else straight to that connection.
     */
    void spoofPrepareForSleep(String destination, boolean start) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("dbus-send", "--system", "--type=signal"));
        if (destination != null) {
            command.add("--dest=" + destination);
        }
        command.addAll(List.of("/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep",
                "boolean:" + start));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DBUS_SYSTEM_BUS_ADDRESS", address);
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("dbus-send failed: " + output);
        }
    }

    private void startDaemon() throws IOException {
        Path socket = dir.resolve("system_bus_socket");
        Path config = dir.resolve("system-bus.conf");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>system</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <allow own="*"/>
                    <allow send_type="method_call"/>
                    <allow send_type="signal"/>
                    <allow send_requested_reply="true" send_type="method_return"/>
                    <allow send_requested_reply="true" send_type="error"/>
                    <allow receive_type="method_call"/>
                    <allow receive_type="method_return"/>
                    <allow receive_type="error"/>
                    <allow receive_type="signal"/>
                  </policy>
                </busconfig>
                """.formatted(socket));
        ProcessBuilder builder = new ProcessBuilder("dbus-daemon", "--config-file=" + config, "--nofork",
                "--print-address", "--nopidfile");
        builder.environment().keySet().removeIf(k -> k.startsWith("DBUS_"));
        builder.redirectError(dir.resolve("dbus-daemon.err").toFile());
        Process daemon = builder.start();
        processes.add(daemon);
        daemon.getOutputStream().close();
        String line = readLine(daemon.getInputStream(), daemon);
        if (line == null || !line.startsWith("unix:")) {
            throw new IllegalStateException("dbus-daemon printed no address (got " + line + "): "
                    + Files.readString(dir.resolve("dbus-daemon.err")));
        }
        // Without the daemon's guid, as a real system bus address reads: a restarted bus has a new one.
        address = line.strip().replaceAll(",guid=[0-9a-f]+", "");
    }

    /** The Python stand-in, from the test resources. */
    private static Path script() {
        try {
            return Path.of(PrivateSystemBus.class.getResource("logind_standin.py").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("logind_standin.py is not among the test resources", e);
        }
    }

    /** Stops the bus and kills it; the test bus may be stopped and started again on the same dir. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process process = processes.get(i);
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        processes.clear();
    }

    static String readLine(InputStream in, Process process) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        return line.size() == 0 && !process.isAlive() ? null : line.toString(StandardCharsets.UTF_8);
    }

    static CompletableFuture<String> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static boolean onPath(String program) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }

    /** For a child process that should find this bus as "the system bus". */
    Map<String, String> clientEnv() {
        return Map.of("DBUS_SYSTEM_BUS_ADDRESS", address);
    }
}

package dev.nexus.services.credentials.linux;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Secret Service for tests: a private {@code dbus-daemon} on a socket in a temp dir and a
 * {@code gnome-keyring-daemon} on it, both with HOME and the XDG directories pointed into that temp
 * dir, so nothing touches the user's own bus or keyrings. The bus address is handed to the store
 * explicitly; the test JVM's environment is never changed.
 *
 * <p>The keyring starts in one of three states: with an unlocked login keyring (password on stdin,
 * as at a desktop login), with no keyring at all (no password given: no login collection exists), or
 * not at all (a bus without a Secret Service).
 */
final class PrivateSecretService implements AutoCloseable {
    static final String PASSWORD = "test-login-password";
    private static final Duration STARTUP = Duration.ofSeconds(15);

    enum Keyring { UNLOCKED_LOGIN, NO_LOGIN_COLLECTION, NONE }

    private final Path dir;
    private final Map<String, String> daemonEnv;
    private final List<Process> processes = new ArrayList<>();
    private String address;
    private Process keyring;

    private PrivateSecretService(Path dir) {
        this.dir = dir;
        this.daemonEnv = new HashMap<>();
    }

    /** Whether the programs this needs are installed (scripts/test installs them). */
    static boolean toolsInstalled() {
        return onPath("dbus-daemon") && onPath("gnome-keyring-daemon") && onPath("secret-tool") && onPath("dbus-send");
    }

    static PrivateSecretService start(Path dir, Keyring keyring) throws IOException, InterruptedException {
        PrivateSecretService service = new PrivateSecretService(dir);
        try {
            service.startBus();
            if (keyring != Keyring.NONE) {
                service.startKeyring(keyring == Keyring.UNLOCKED_LOGIN);
            }
            return service;
        } catch (IOException | InterruptedException | RuntimeException e) {
            service.close();
            throw e;
        }
    }

    String address() {
        return address;
    }

    /** The environment for a client of this bus (secret-tool, dbus-send). */
    Map<String, String> clientEnv() {
        Map<String, String> env = new HashMap<>(daemonEnv);
        env.put("DBUS_SESSION_BUS_ADDRESS", address);
        return env;
    }

    record Result(int exit, String stdout, String stderr) {
    }

    /** Runs a command with this bus in its environment; {@code stdin} may be null. */
    Result run(String stdin, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(clientEnv());
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        CompletableFuture<String> out = readAll(process.getInputStream());
        CompletableFuture<String> err = readAll(process.getErrorStream());
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within 20 s");
        }
        return new Result(process.exitValue(), out.join(), err.join());
    }

    Result secretTool(String stdin, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("secret-tool");
        command.addAll(Arrays.asList(arguments));
        return run(stdin, command.toArray(String[]::new));
    }

    /** Whether some process owns {@code org.freedesktop.secrets}, asked without activating anything. */
    boolean secretServiceOwned() throws IOException, InterruptedException {
        Result result = run(null, "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets");
        if (result.exit() != 0) {
            throw new IllegalStateException("dbus-send NameHasOwner failed: " + result.stderr());
        }
        return result.stdout().contains("boolean true");
    }

    /** Locks the login collection through the Secret Service API, as the screen locker or a timeout would. */
    void lockLogin() throws IOException, InterruptedException {
        Result result = run(null, "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login");
        if (result.exit() != 0) {
            throw new IllegalStateException("locking the login collection failed: " + result.stderr());
        }
    }

    /** Stops the keyring process (SIGSTOP): it keeps its bus name but answers nothing, as a hung daemon would. */
    void pauseKeyring() throws IOException, InterruptedException {
        signalKeyring("-STOP");
    }

    void resumeKeyring() throws IOException, InterruptedException {
        signalKeyring("-CONT");
    }

    private void signalKeyring(String signal) throws IOException, InterruptedException {
        if (keyring == null) {
            throw new IllegalStateException("no keyring was started");
        }
        Process kill = new ProcessBuilder("kill", signal, String.valueOf(keyring.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + keyring.pid() + " failed");
        }
    }

    private void startBus() throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path runtime = dir.resolve("runtime");
        Files.createDirectories(runtime, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        daemonEnv.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        daemonEnv.put("HOME", home.toString());
        daemonEnv.put("XDG_DATA_HOME", Files.createDirectories(dir.resolve("data")).toString());
        daemonEnv.put("XDG_CONFIG_HOME", Files.createDirectories(dir.resolve("config")).toString());
        daemonEnv.put("XDG_CACHE_HOME", Files.createDirectories(dir.resolve("cache")).toString());
        daemonEnv.put("XDG_RUNTIME_DIR", runtime.toString());
        daemonEnv.put("LANG", "C.UTF-8");

        ProcessBuilder builder = new ProcessBuilder("dbus-daemon", "--session", "--print-address", "--nofork",
                "--address=unix:path=" + dir.resolve("bus"));
        builder.environment().clear();
        builder.environment().putAll(daemonEnv);
        builder.redirectError(dir.resolve("dbus-daemon.err").toFile());
        Process bus = builder.start();
        processes.add(bus);
        bus.getOutputStream().close();
        String line = readLine(bus.getInputStream(), bus);
        if (line == null || !line.startsWith("unix:")) {
            throw new IllegalStateException("dbus-daemon printed no address (got " + line + "): "
                    + Files.readString(dir.resolve("dbus-daemon.err")));
        }
        address = line.strip();
    }

    private void startKeyring(boolean unlock) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("gnome-keyring-daemon", "--components=secrets", "--foreground"));
        if (unlock) {
            command.add(1, "--unlock");
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(clientEnv());
        builder.redirectOutput(dir.resolve("gnome-keyring.out").toFile());
        builder.redirectError(dir.resolve("gnome-keyring.err").toFile());
        keyring = builder.start();
        processes.add(keyring);
        try (OutputStream in = keyring.getOutputStream()) {
            if (unlock) {
                in.write(PASSWORD.getBytes(StandardCharsets.UTF_8));
            }
        }
        Instant deadline = Instant.now().plus(STARTUP);
        while (true) {
            if (!keyring.isAlive()) {
                throw new IllegalStateException("gnome-keyring-daemon exited with " + keyring.exitValue() + ": "
                        + Files.readString(dir.resolve("gnome-keyring.err")));
            }
            if (secretServiceOwned() && (!unlock || loginCollectionExists())) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("gnome-keyring-daemon did not come up within " + STARTUP.toSeconds() + " s: "
                        + Files.readString(dir.resolve("gnome-keyring.err")));
            }
            Thread.sleep(20);
        }
    }

    private boolean loginCollectionExists() throws IOException, InterruptedException {
        Result result = run(null, "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.ReadAlias", "string:default");
        return result.exit() == 0 && result.stdout().contains("/org/freedesktop/secrets/collection/");
    }

    @Override
    public void close() {
        if (keyring != null && keyring.isAlive()) {
            try {
                resumeKeyring();
            } catch (IOException | InterruptedException | RuntimeException e) {
                keyring.destroyForcibly();
            }
        }
        // Children first (an activated prompter, for one), then the keyring, then the bus.
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process process = processes.get(i);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
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
    }

    private static String readLine(InputStream in, Process process) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        return line.size() == 0 && !process.isAlive() ? null : line.toString(StandardCharsets.UTF_8);
    }

    private static CompletableFuture<String> readAll(InputStream in) {
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
}

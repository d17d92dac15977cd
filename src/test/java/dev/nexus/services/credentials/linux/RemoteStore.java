package dev.nexus.services.credentials.linux;

import dev.nexus.services.credentials.ChildJvm;
import dev.nexus.services.credentials.CredentialException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The test side of {@link LibsecretStoreRemote}: a child JVM with {@code DBUS_SESSION_BUS_ADDRESS} (and
 * HOME) set as given, and calls that mirror the store's methods. A failure in the child comes back as
 * the same {@link CredentialException} reason and message.
 */
final class RemoteStore implements AutoCloseable {
    private static final long ANSWER_SECONDS = 30;

    private final Process process;
    private final Writer commands;
    private final BufferedReader answers;
    private final Path stderr;

    private RemoteStore(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** @param busAddress the child's DBUS_SESSION_BUS_ADDRESS, or null for none */
    static RemoteStore start(Path dir, String busAddress) throws IOException {
        return start(dir, busAddress, List.of());
    }

    /** With the store's deadline set to {@code timeoutSeconds}. */
    static RemoteStore withTimeout(Path dir, String busAddress, int timeoutSeconds) throws IOException {
        return start(dir, busAddress, List.of(String.valueOf(timeoutSeconds)));
    }

    private static RemoteStore start(Path dir, String busAddress, List<String> args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(LibsecretStoreRemote.class, args));
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", dir.toString());
        env.put("LANG", "C.UTF-8");
        if (busAddress != null) {
            env.put(LibsecretStore.BUS_VARIABLE, busAddress);
        }
        Path stderr = dir.resolve("remote-store.err");
        builder.redirectError(stderr.toFile());
        return new RemoteStore(builder.start(), stderr);
    }

    record Availability(boolean available, String reason) {
    }

    Availability availability() throws Exception {
        String[] words = call("available");
        return new Availability(Boolean.parseBoolean(words[1]), LibsecretStoreRemote.unb64(words[2]));
    }

    Optional<String> read(String name) throws Exception {
        return present(call("read " + name));
    }

    void write(String name, String value) throws Exception {
        call("write " + name + " " + LibsecretStoreRemote.b64(value));
    }

    boolean delete(String name) throws Exception {
        return Boolean.parseBoolean(call("delete " + name)[1]);
    }

    /** Credentials.open(root, child env).set(...); the active store's id. */
    String facadeSet(Path root, String name, String value) throws Exception {
        return call("facade-set " + LibsecretStoreRemote.b64(root.toString()) + " " + name + " " + LibsecretStoreRemote.b64(value))[1];
    }

    Optional<String> facadeGet(Path root, String name) throws Exception {
        return present(call("facade-get " + LibsecretStoreRemote.b64(root.toString()) + " " + name));
    }

    String facadeList(Path root) throws Exception {
        return LibsecretStoreRemote.unb64(call("facade-list " + LibsecretStoreRemote.b64(root.toString()))[1]);
    }

    String facadeWhere(Path root) throws Exception {
        return LibsecretStoreRemote.unb64(call("facade-where " + LibsecretStoreRemote.b64(root.toString()))[1]);
    }

    private static Optional<String> present(String[] words) {
        return words[1].equals("present") ? Optional.of(LibsecretStoreRemote.unb64(words[2])) : Optional.empty();
    }

    private String[] call(String command) throws Exception {
        commands.write(command + "\n");
        commands.flush();
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return answers.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(ANSWER_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("the store process ended: " + java.nio.file.Files.readString(stderr));
        }
        String[] words = line.split(" ");
        if (words[0].equals("error")) {
            throw new CredentialException(CredentialException.Reason.valueOf(words[1]), LibsecretStoreRemote.unb64(words[2]));
        }
        return words;
    }

    @Override
    public void close() throws Exception {
        commands.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

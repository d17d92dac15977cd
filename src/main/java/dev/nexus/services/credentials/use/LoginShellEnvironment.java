package dev.nexus.services.credentials.use;

import com.sun.jna.LastErrorException;
import dev.nexus.services.supervise.PosixLibc;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The environment of the user's login shell ({@code NEXUS_LOAD_SHELL_ENV=1}): daemons started by
 * launchd or systemd never see what ~/.profile, ~/.zshrc and friends export, so it is read once from
 * {@code $SHELL -l -i -c} and cached.
 *
 * <p>rc files are hostile ground: they print banners, ask questions and sometimes hang. So stdin is
 * /dev/null, stderr is dropped, everything the rc files print before a random marker is skipped, and
 * the shell (with everything it started in its session) is killed after the timeout. Loading runs on
 * its own thread and never throws into the caller: {@link #load()} completes exceptionally with a
 * {@link ShellEnvironmentException} that says what went wrong.
 */
public final class LoginShellEnvironment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoginShellEnvironment.class);
    /** In the engine's (or the exec shim's) own environment: "1" (or "true") asks for the login shell's. */
    public static final String FLAG = "NEXUS_LOAD_SHELL_ENV";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Carries the marker into the shell, so that it appears in the output only where we print it. */
    static final String MARKER_VARIABLE = "NEXUS_SHELL_ENV_MARKER";
    /** Variables that describe the loading shell itself, not the user's environment. */
    private static final Set<String> SHELL_OWN = Set.of(MARKER_VARIABLE, "_", "SHLVL", "PWD", "OLDPWD");
    private static final int MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
    /**
     * How long to wait for the end of output once the shell has exited: a background job started by
     * an rc file may keep stdout open forever, while everything we asked for is complete already.
     */
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(1);
    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private final Map<String, String> env;
    private final Duration timeout;
    private CompletableFuture<Map<String, String>> result;
    private volatile Process running;
    private volatile boolean closed;

    /**
     * @param env     the environment the shell starts from (the engine's own); {@code SHELL} in it names
     *                the shell
     * @param timeout how long the shell may take before it is killed
     */
    public LoginShellEnvironment(Map<String, String> env, Duration timeout) {
        this.env = Map.copyOf(env);
        this.timeout = timeout;
    }

    /** Whether {@code env} asks for the login shell's environment. */
    public static boolean requested(Map<String, String> env) {
        String value = env.get(FLAG);
        return value != null && (value.trim().equals("1") || value.trim().equalsIgnoreCase("true"));
    }

    /**
     * Starts loading on the first call (on a thread of its own) and returns the same future on every
     * call. It completes with the variables the login shell exports, minus the loading shell's own
     * (PWD, SHLVL, _ ...), or exceptionally with a {@link ShellEnvironmentException}.
     */
    public synchronized CompletableFuture<Map<String, String>> load() {
        if (result == null) {
            result = new CompletableFuture<>();
            Thread loader = new Thread(() -> {
                try {
                    result.complete(run());
                } catch (ShellEnvironmentException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(new ShellEnvironmentException("loading the login shell's "
                            + "environment failed: " + e, e));
                }
            }, "nexus-shell-env");
            loader.setDaemon(true);
            loader.start();
        }
        return result;
    }

    /** Loads (or takes the cached result), waiting at most the timeout plus a little. */
    public Map<String, String> loadNow() throws ShellEnvironmentException {
        try {
            return load().get(timeout.plus(OUTPUT_GRACE).plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ShellEnvironmentException s ? s
                    : new ShellEnvironmentException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new ShellEnvironmentException("the login shell did not finish within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShellEnvironmentException("interrupted while loading the login shell's environment", e);
        }
    }

    /** The shell to ask: {@code $SHELL}, else the user's entry in /etc/passwd, else /bin/sh. */
    static Path shell(Map<String, String> env) {
        String shell = env.get("SHELL");
        if (shell != null && !shell.isBlank()) {
            return Path.of(shell);
        }
        String user = System.getProperty("user.name", "");
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 7 && fields[0].equals(user) && !fields[6].isBlank()) {
                    return Path.of(fields[6]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No readable passwd file (macOS keeps users elsewhere): fall through.
        }
        return Path.of("/bin/sh");
    }

    /**
     * {@code [setsid] SHELL -l -i -c 'printf %s "$MARKER"; exec env -0'}. Its own session keeps an
     * interactive shell from taking over the terminal the engine may run in, and lets the timeout kill
     * everything the rc files started. {@code exec} skips logout scripts (which like to clear the
     * screen); {@code env -0} keeps values with newlines intact.
     */
    static List<String> command(Path shell) {
        List<String> argv = new ArrayList<>();
        SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(p -> argv.add(p.toString()));
        argv.add(shell.toString());
        argv.add("-l");
        argv.add("-i");
        argv.add("-c");
        argv.add("printf '%s' \"$" + MARKER_VARIABLE + "\"; exec env -0");
        return argv;
    }

    private Map<String, String> run() throws ShellEnvironmentException {
        if (closed) {
            throw new ShellEnvironmentException("closed before the login shell was asked");
        }
        Path shell = shell(env);
        // Random, so that no rc file can print it by accident before our own output starts.
        String marker = "nexus-env-" + HexFormat.of().formatHex(randomBytes());
        ProcessBuilder builder = new ProcessBuilder(command(shell))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put(MARKER_VARIABLE, marker);
        String home = env.get("HOME");
        if (home != null && Files.isDirectory(Path.of(home))) {
            builder.directory(new File(home));
        }
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ShellEnvironmentException("cannot start the login shell " + shell + ": " + e.getMessage(), e);
        }
        running = process;
        OutputCollector output = new OutputCollector(process.getInputStream());
        output.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new ShellEnvironmentException(shell + " -l -i did not finish within " + seconds(timeout)
                        + "; services start without the login shell's environment. Look for a command in your "
                        + "shell's rc files that waits for input or for the network");
            }
            output.awaitEnd(OUTPUT_GRACE);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new ShellEnvironmentException("interrupted while waiting for " + shell, e);
        } finally {
            running = null;
        }
        if (closed) {
            throw new ShellEnvironmentException("closed while the login shell was running");
        }
        if (output.overflowed()) {
            throw new ShellEnvironmentException(shell + " -l -i printed more than " + MAX_OUTPUT_BYTES / (1024 * 1024)
                    + " MiB; its environment was not used");
        }
        int exit = process.exitValue();
        if (exit != 0) {
            throw new ShellEnvironmentException(shell + " -l -i exited with " + exit + " before printing its "
                    + "environment (does it understand -l -i -c, and is env(1) on its PATH?)");
        }
        Map<String, String> variables = parse(output.bytes(), marker);
        LOG.info("Loaded {} variables from the login shell {} in {} ms", variables.size(), shell,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return variables;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /**
     * The variables printed after the marker, as {@code env -0} writes them (NAME=value, NUL after
     * each). Whatever came before the marker is rc-file noise.
     */
    static Map<String, String> parse(byte[] output, String marker) throws ShellEnvironmentException {
        String text = new String(output, StandardCharsets.UTF_8);
        int at = text.indexOf(marker);
        if (at < 0) {
            throw new ShellEnvironmentException("the login shell did not print the marker: its rc files may "
                    + "exit early, or it does not run the -c command");
        }
        String rest = text.substring(at + marker.length());
        if (rest.indexOf('\0') < 0) {
            throw new ShellEnvironmentException("the login shell printed no NUL-separated environment after the "
                    + "marker (does its env(1) support -0?)");
        }
        Map<String, String> variables = new LinkedHashMap<>();
        for (String entry : rest.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                continue; // not NAME=value: trailing noise after env's last NUL
            }
            String name = entry.substring(0, eq);
            if (!SHELL_OWN.contains(name)) {
                variables.put(name, entry.substring(eq + 1));
            }
        }
        return variables;
    }

    /** Kills the shell and what it started: its whole session when setsid was used, else its descendants. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            try {
                PosixLibc.get().kill(-(int) process.pid(), PosixLibc.SIGKILL);
            } catch (LastErrorException | UnsatisfiedLinkError e) {
                // Not a group leader (no setsid here): descendants were signalled above.
            }
        }
        process.destroyForcibly();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Kills a shell that is still running; a later {@link #load()} result fails. */
    @Override
    public void close() {
        closed = true;
        Process p = running;
        if (p != null) {
            kill(p);
        }
    }

    /** Reads stdout to the end on its own thread, so that a chatty shell never blocks on a full pipe. */
    private static final class OutputCollector extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private boolean overflow;

        OutputCollector(InputStream in) {
            super("nexus-shell-env-output");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (this) {
                        if (bytes.size() + n > MAX_OUTPUT_BYTES) {
                            overflow = true;
                            return;
                        }
                        bytes.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // The stream ends when the process is killed; what was read so far is what there is.
            }
        }

        void awaitEnd(Duration grace) throws InterruptedException {
            join(grace.toMillis());
        }

        synchronized boolean overflowed() {
            return overflow;
        }

        synchronized byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}

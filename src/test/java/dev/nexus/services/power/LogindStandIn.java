package dev.nexus.services.power;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Drives the Python stand-in for logind (logind_standin.py) over its stdin/stdout: one command, one
 * reply line. The stand-in owns org.freedesktop.login1 on the private bus.
 */
public final class LogindStandIn implements AutoCloseable {
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path errors;
    private final String uniqueName;

    private LogindStandIn(Process process, Path errors) throws IOException {
        this.process = process;
        this.errors = errors;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "logind-stand-in-reader");
        reader.setDaemon(true);
        reader.start();
        String ready = next();
        if (!ready.startsWith("ready ")) {
            throw new IllegalStateException("the logind stand-in did not start: " + ready);
        }
        this.uniqueName = ready.substring("ready ".length()).strip();
    }

    static LogindStandIn start(String python, Path script, String address, Path dir) throws IOException {
        Path errors = Files.createTempFile(dir, "logind-standin", ".err");
        ProcessBuilder builder = new ProcessBuilder(python, "-u", script.toString());
        builder.environment().put("DBUS_SYSTEM_BUS_ADDRESS", address);
        builder.redirectError(errors.toFile());
        Process process = builder.start();
        try {
            return new LogindStandIn(process, errors);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Its unique name on the bus: the only sender whose PrepareForSleep counts. */
    String uniqueName() {
        return uniqueName;
    }

    synchronized String command(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
        return next();
    }

    private String next() throws IOException {
        try {
            String line = lines.poll(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IllegalStateException("the logind stand-in gave no answer within " + REPLY_TIMEOUT.toSeconds()
                        + " s (alive: " + process.isAlive() + "): " + Files.readString(errors));
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public int heldDelayLocks() throws IOException {
        return number(command("held"), "held");
    }

    public int inhibitCalls() throws IOException {
        return number(command("inhibits"), "inhibits");
    }

    /** Emits PrepareForSleep(true) and waits, as logind does, for the delay locks to go (or the limit). */
    public SleepOutcome sleep(Duration limit) throws IOException {
        String reply = command("sleep " + limit.toMillis());
        String[] words = reply.split(" ");
        if (words.length != 2 || !(words[0].equals("released") || words[0].equals("timeout"))) {
            throw new IllegalStateException("unexpected reply to sleep: " + reply);
        }
        return new SleepOutcome(words[0].equals("released"), Duration.ofMillis(Long.parseLong(words[1])));
    }

    /** What logind saw of a sleep: whether every delay lock was released in time, and how long that took. */
    public record SleepOutcome(boolean released, Duration waited) {
    }

    public void wake() throws IOException {
        String reply = command("wake");
        if (!reply.equals("ok")) {
            throw new IllegalStateException("unexpected reply to wake: " + reply);
        }
    }

    private static int number(String reply, String word) {
        if (!reply.startsWith(word + " ")) {
            throw new IllegalStateException("expected \"" + word + " N\", got " + reply);
        }
        return Integer.parseInt(reply.substring(word.length() + 1).strip());
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                command("quit");
            }
        } catch (IOException | RuntimeException e) {
            // killed below
        }
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

package dev.nexus.services.manager;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs the real OS tools, with a deadline: a hung launchctl must not hang the engine. */
public final class ProcessCommandRunner implements CommandRunner {
    /** No input: a tool that asks a question must not wait for an answer. */
    private static final String NULL_DEVICE = System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null";

    @Override
    public CommandResult run(List<String> argv, Duration timeout) throws IOException {
        Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(NULL_DEVICE))).start();
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("`" + String.join(" ", argv) + "` did not finish within " + timeout.toSeconds() + " s");
            }
            // A child the tool left behind may hold the pipes open: do not wait for it long.
            return new CommandResult(argv, process.exitValue(), out.get(2, TimeUnit.SECONDS), err.get(2, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running `" + String.join(" ", argv) + "`", e);
        } catch (TimeoutException e) {
            throw new IOException("`" + String.join(" ", argv) + "` exited but left its output open", e);
        } catch (ExecutionException e) {
            throw new IOException("could not read the output of `" + String.join(" ", argv) + "`", e.getCause());
        }
    }

    /** Its own thread per stream: the common pool may have one thread, and a full pipe would block the tool. */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                stream.transferTo(buffer);
                text.complete(buffer.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        }, "os-tool-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}

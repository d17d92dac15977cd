package dev.nexus.services.manager.windows;

import dev.nexus.services.manager.RecordingStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * STAND-INs for {@code schtasks} and {@code reg} (Windows cannot run here), built on {@link RecordingStandIn}:
 * every call recorded, {@code /Query} answered from what the test says is registered. With {@link #follow},
 * a watcher thread plays Task Scheduler: {@code /Create} registers (Ready), {@code /Run} runs, {@code /End}
 * ends after a delay (the instance takes a moment to go), {@code /Delete} unregisters.
 */
final class FakeTaskScheduler implements AutoCloseable {
    static final String NOT_FOUND = "ERROR: The system cannot find the file specified.\r\n";
    final RecordingStandIn schtasks;
    final RecordingStandIn reg;
    private final String task;
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile Thread watcher;
    private final java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();

    private FakeTaskScheduler(RecordingStandIn schtasks, RecordingStandIn reg, String task) {
        this.schtasks = schtasks;
        this.reg = reg;
        this.task = task;
    }

    static FakeTaskScheduler create(Path bin, String task) throws IOException {
        FakeTaskScheduler fake = new FakeTaskScheduler(RecordingStandIn.create(bin, "schtasks"), RecordingStandIn.create(bin, "reg"), task);
        fake.schtasks.reply(List.of("/?"), 0, "SCHTASKS /parameter [arguments]\r\n", "");
        fake.reg.reply(List.of("query"), 1, "", "ERROR: The system was unable to find the specified registry key or value.\r\n");
        fake.notRegistered();
        return fake;
    }

    FakeTaskScheduler notRegistered() throws IOException {
        schtasks.reply(List.of("/Query", "/TN", task), 1, "", NOT_FOUND);
        return this;
    }

    FakeTaskScheduler registered(String status, String lastResult) throws IOException {
        schtasks.reply(List.of("/Query", "/TN", task), 0, SchtasksQueryTest.query(task, status, lastResult, "Enabled"), "");
        return this;
    }

    /** NEXUS_ROOT as {@code reg query HKCU\Environment /v NEXUS_ROOT} would print it. */
    FakeTaskScheduler userVariable(String name, String type, String value) throws IOException {
        reg.reply(List.of("query", UserEnvironment.USER_KEY, "/v", name), 0,
                "\r\nHKEY_CURRENT_USER\\Environment\r\n    " + name + "    " + type + "    " + value + "\r\n\r\n", "");
        return this;
    }

    FakeTaskScheduler follow(Duration endTakes) {
        Thread t = new Thread(() -> {
            int seen = 0;
            try {
                while (!stop.get()) {
                    List<List<String>> calls = schtasks.calls();
                    for (; seen < calls.size(); seen++, handled.set(seen)) {
                        List<String> call = calls.get(seen);
                        if (call.size() < 3 || !call.get(2).equals(task)) {
                            continue;
                        }
                        switch (call.get(0)) {
                            case "/Create" -> registered("Ready", "267011");
                            case "/Run" -> registered("Running", "267009");
                            case "/End" -> {
                                Thread.sleep(endTakes.toMillis());
                                registered("Ready", "267014");
                            }
                            case "/Delete" -> notRegistered();
                            default -> {
                            }
                        }
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "fake-task-scheduler");
        t.setDaemon(true);
        t.start();
        watcher = t;
        return this;
    }

    /**
     * Waits until the watcher has played every call so far: Task Scheduler has a task Running by the time
     * {@code /Run} returns, which the watcher only catches up with a moment later.
     */
    FakeTaskScheduler awaitSettled() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (handled.get() < schtasks.calls().size()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stand-in Task Scheduler did not catch up with " + schtasks.calls());
            }
            Thread.sleep(5);
        }
        return this;
    }

    /** Every schtasks call but the queries, whose number depends on timing. */
    List<List<String>> changes() throws IOException {
        return schtasks.calls().stream().filter(c -> !c.get(0).equals("/Query")).toList();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        Thread t = watcher;
        if (t != null) {
            t.join(2000);
        }
    }
}

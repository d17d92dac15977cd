package dev.nexus.services.manager.launchd;

import dev.nexus.services.manager.RecordingStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A STAND-IN for launchd, built on {@link RecordingStandIn}'s {@code launchctl}: it records every call and
 * answers {@code print} from what the test says is loaded. With {@link #follow}, a watcher thread plays
 * launchd's own part: after a {@code bootout} the label disappears (after a delay, as launchd lets go
 * only once the job has exited), after a {@code bootstrap} the job is loaded and running.
 */
final class FakeLaunchd implements AutoCloseable {
    static final String NOT_FOUND_STDERR = "Bad request.\nCould not find service \"%s\" in domain for user gui: 501\n";
    final RecordingStandIn tool;
    private final String label;
    private final String target;
    private volatile Thread watcher;
    private final AtomicBoolean stop = new AtomicBoolean();

    private FakeLaunchd(RecordingStandIn tool, String label) {
        this.tool = tool;
        this.label = label;
        this.target = "gui/" + MacFixtures.UID + "/" + label;
    }

    static FakeLaunchd create(Path bin, String label) throws IOException {
        FakeLaunchd fake = new FakeLaunchd(RecordingStandIn.create(bin, "launchctl"), label);
        fake.tool.reply(List.of("print", "gui/" + MacFixtures.UID), 0, "gui/501 = {\n\ttype = gui\n}\n", "");
        fake.notLoaded();
        return fake;
    }

    FakeLaunchd notLoaded() throws IOException {
        tool.reply(List.of("bootout", target), 113, "", "Boot-out failed: 113: Could not find specified service\n");
        tool.reply(List.of("print", target), 113, "", NOT_FOUND_STDERR.formatted(label));
        return this;
    }

    FakeLaunchd running(long pid) throws IOException {
        tool.reply(List.of("bootout", target), 0, "", "");
        tool.reply(List.of("print", target), 0, sample("print-running.txt").replace("dev.nexus.cloud", label)
                .replace("@PID@", Long.toString(pid)), "");
        return this;
    }

    FakeLaunchd printing(String sampleName) throws IOException {
        tool.reply(List.of("print", target), 0, sample(sampleName).replace("dev.nexus.cloud", label), "");
        return this;
    }

    /** Plays launchd: bootout → gone after {@code letGo}; bootstrap → running (as this test's own pid). */
    FakeLaunchd follow(Duration letGo) {
        Thread t = new Thread(() -> {
            int seen = 0;
            try {
                while (!stop.get()) {
                    List<List<String>> calls = tool.calls();
                    for (; seen < calls.size(); seen++) {
                        List<String> call = calls.get(seen);
                        if (call.size() == 2 && call.get(0).equals("bootout") && call.get(1).equals(target)) {
                            Thread.sleep(letGo.toMillis());
                            notLoaded();
                        } else if (!call.isEmpty() && call.get(0).equals("bootstrap")) {
                            running(ProcessHandle.current().pid());
                        }
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "fake-launchd");
        t.setDaemon(true);
        t.start();
        watcher = t;
        return this;
    }

    /** Every call but the {@code print}s, which depend on timing: what the manager changed, in order. */
    List<List<String>> changes() throws IOException {
        return tool.calls().stream().filter(c -> c.isEmpty() || !c.get(0).equals("print")).toList();
    }

    List<List<String>> calls() throws IOException {
        return tool.calls();
    }

    String target() {
        return target;
    }

    private static String sample(String name) throws IOException {
        return LaunchctlPrintTest.sample(name);
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

package dev.nexus.services.supervise;

import dev.nexus.services.support.NexusPaths;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stand-in engine in its own JVM, for tests that kill an engine for real: launches one child
 * (args: root, service, command...), appends its output to {@code root/host.out} and
 * {@code root/host.err}, prints "launched PID" and waits to be killed.
 */
public final class LauncherHost {
    private LauncherHost() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String service = args[1];
        List<String> command = Arrays.asList(args).subList(2, args.length);
        OutputSinks sinks = (request, stderr) -> new FileOutputStream(
                root.resolve(stderr ? "host.err" : "host.out").toFile(), true);
        ChildLauncher launcher = new ChildLauncher(new NexusPaths(root), sinks, Clock.systemUTC());
        ChildProcess child = launcher.launch(new LaunchRequest(service, command, root, Map.of("PATH", "/usr/bin:/bin"),
                null, Set.of()));
        System.out.println("launched " + child.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

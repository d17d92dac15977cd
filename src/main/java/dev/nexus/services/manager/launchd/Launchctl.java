package dev.nexus.services.manager.launchd;

import dev.nexus.services.manager.CommandResult;
import dev.nexus.services.manager.CommandRunner;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.PlanApplier;
import dev.nexus.services.manager.ToolCall;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code launchctl} for one user's GUI domain ({@code gui/<uid>}), with the waits launchd needs. A
 * {@code bootout} returns once launchd has sent SIGTERM, not once the job is gone: launchd then waits up
 * to ExitTimeOut, SIGKILLs and cleans up for a few more seconds, and a {@code bootstrap} of the same label
 * in that window fails with "5: Input/output error" (or 37, "Operation already in progress"). So a
 * bootout here is finished only when {@code launchctl print} answers 113 ("Could not find service"), and
 * a bootstrap that meets 5 or 37 is retried for a while.
 */
final class Launchctl {
    static final String TOOL = "launchctl";
    /** {@code launchctl print} of a label the domain does not know. */
    static final int SERVICE_NOT_FOUND = 113;
    /** {@code launchctl print} of a domain that does not exist (no GUI login for that uid). */
    static final int DOMAIN_NOT_FOUND = 112;
    private static final int EIO = 5;
    private static final int EALREADY = 37;
    private static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(Launchctl.class);

    private final CommandRunner runner;
    private final long uid;
    private final LaunchdTiming timing;

    Launchctl(CommandRunner runner, long uid, LaunchdTiming timing) {
        this.runner = runner;
        this.uid = uid;
        this.timing = timing;
    }

    String domain() {
        return "gui/" + uid;
    }

    String target(String label) {
        return domain() + "/" + label;
    }

    ToolCall enable(String label) {
        return ToolCall.of(TOOL, "enable", target(label));
    }

    ToolCall bootout(String label) {
        return ToolCall.of(TOOL, "bootout", target(label));
    }

    ToolCall bootstrap(Path plist) {
        return ToolCall.of(TOOL, "bootstrap", domain(), plist.toString());
    }

    ToolCall kickstart(String label, boolean killFirst) {
        return killFirst
                ? ToolCall.of(TOOL, "kickstart", "-k", target(label))
                : ToolCall.of(TOOL, "kickstart", target(label));
    }

    CommandResult printDomain() throws IOException {
        return runner.run(List.of(TOOL, "print", domain()), PlanApplier.TOOL_TIMEOUT);
    }

    /** The job as launchd sees it; empty when the domain does not know the label (not loaded). */
    Optional<LaunchctlPrint> print(String label) throws ManagerException {
        CommandResult result;
        try {
            result = printRaw(target(label));
        } catch (IOException e) {
            throw new ManagerException(e.getMessage(), e);
        }
        if (result.ok()) {
            return Optional.of(LaunchctlPrint.parse(result.stdout()));
        }
        if (notFound(result)) {
            return Optional.empty();
        }
        throw ManagerException.failed(result);
    }

    boolean loaded(String label) throws ManagerException {
        return print(label).isPresent();
    }

    /** Runs one call through the waiting runner, throwing when it fails. */
    void run(ToolCall call, Duration exitTimeout) throws ManagerException {
        CommandResult result;
        try {
            result = settling(exitTimeout).run(call.argv(), PlanApplier.TOOL_TIMEOUT);
        } catch (IOException e) {
            throw new ManagerException(e.getMessage(), e);
        }
        if (!result.ok() && !call.mayFail()) {
            throw ManagerException.failed(result);
        }
    }

    /**
     * A runner for plans and single calls: a {@code bootout} counts as done (exit 0) once the label is gone,
     * also when it was not loaded to begin with, and fails when the job is still there after its ExitTimeOut
     * and the settle time; a {@code bootstrap} answered with 5 or 37 is tried again until it succeeds or the
     * retry time is up. Everything else runs as it is.
     *
     * @param exitTimeout the job's ExitTimeOut: how long launchd may wait before it SIGKILLs
     */
    CommandRunner settling(Duration exitTimeout) {
        return (argv, timeout) -> {
            if (argv.size() == 3 && argv.get(0).equals(TOOL) && argv.get(1).equals("bootout")) {
                return bootoutAndWait(argv, timeout, exitTimeout.plus(timing.settle()));
            }
            if (argv.size() >= 3 && argv.get(0).equals(TOOL) && argv.get(1).equals("bootstrap")) {
                return bootstrapWithRetry(argv, timeout);
            }
            return runner.run(argv, timeout);
        };
    }

    private CommandResult bootoutAndWait(List<String> argv, Duration timeout, Duration wait) throws IOException {
        String target = argv.get(2);
        CommandResult bootout = runner.run(argv, timeout);
        long deadline = System.nanoTime() + wait.toNanos();
        CommandResult print;
        while (true) {
            print = printRaw(target);
            if (notFound(print) || print.exitCode() == DOMAIN_NOT_FOUND) {
                if (!bootout.ok()) {
                    LOG.debug("`{}` said \"{}\" (exit {}); {} is not loaded, which is what was asked",
                            String.join(" ", argv), bootout.message(), bootout.exitCode(), target);
                }
                return new CommandResult(argv, 0, bootout.stdout(), bootout.stderr());
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            pause(timing.poll());
        }
        String still = target + " is still loaded " + wait.toSeconds() + " s after the bootout"
                + (print.ok() ? " (" + describe(LaunchctlPrint.parse(print.stdout())) + ")" : ": " + print.message());
        String said = bootout.message();
        return new CommandResult(argv, bootout.ok() ? 1 : bootout.exitCode(), bootout.stdout(),
                said.isEmpty() ? still : said + "; " + still);
    }

    private CommandResult bootstrapWithRetry(List<String> argv, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timing.bootstrapRetry().toNanos();
        Duration pause = timing.poll();
        while (true) {
            CommandResult result = runner.run(argv, timeout);
            boolean labelStillBusy = result.exitCode() == EIO || result.exitCode() == EALREADY;
            if (result.ok() || !labelStillBusy || System.nanoTime() - deadline >= 0) {
                return result;
            }
            LOG.debug("`{}` failed with {} ({}); launchd may still be letting go of the label, trying again",
                    String.join(" ", argv), result.exitCode(), result.message());
            pause(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_RETRY_PAUSE) > 0 ? MAX_RETRY_PAUSE : pause.multipliedBy(2);
        }
    }

    private CommandResult printRaw(String target) throws IOException {
        return runner.run(List.of(TOOL, "print", target), PlanApplier.TOOL_TIMEOUT);
    }

    static boolean notFound(CommandResult result) {
        return result.exitCode() == SERVICE_NOT_FOUND
                || !result.ok() && (result.stderr() + result.stdout()).contains("Could not find service");
    }

    static String describe(LaunchctlPrint job) {
        StringBuilder text = new StringBuilder("state = ").append(job.state().isEmpty() ? "?" : job.state());
        job.pid().ifPresent(pid -> text.append(", pid = ").append(pid));
        job.runs().ifPresent(runs -> text.append(", runs = ").append(runs));
        if (!job.lastExitText().isEmpty()) {
            text.append(", last exit code = ").append(job.lastExitText());
        }
        if (!job.lastSignal().isEmpty()) {
            text.append(", last terminating signal = ").append(job.lastSignal());
        }
        return text.toString();
    }

    private static void pause(Duration pause) throws IOException {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for launchd", e);
        }
    }
}

package dev.nexus.services.manager.windows;

import dev.nexus.services.manager.CommandResult;
import dev.nexus.services.manager.CommandRunner;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.PlanApplier;
import dev.nexus.services.manager.ToolCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code schtasks} for the user's own tasks, with the wait an {@code /End} needs. */
final class Schtasks {
    static final String TOOL = "schtasks";
    /** What schtasks prints for a task name it does not know (English Windows). */
    static final String NOT_FOUND = "cannot find the file specified";

    private final CommandRunner runner;
    private final WindowsTiming timing;

    Schtasks(CommandRunner runner, WindowsTiming timing) {
        this.runner = runner;
        this.timing = timing;
    }

    static ToolCall create(String task, Path xml) {
        return ToolCall.of(TOOL, "/Create", "/TN", task, "/XML", xml.toString(), "/F");
    }

    static ToolCall run(String task) {
        return ToolCall.of(TOOL, "/Run", "/TN", task);
    }

    /** Tolerant in plans: a task that is not running, or not there yet, has nothing to end. */
    static ToolCall end(String task) {
        return ToolCall.tolerant(TOOL, "/End", "/TN", task);
    }

    /** For a stop: the task was seen running, so an {@code /End} that fails is a failure. */
    static ToolCall endRunning(String task) {
        return ToolCall.of(TOOL, "/End", "/TN", task);
    }

    static ToolCall delete(String task) {
        return ToolCall.of(TOOL, "/Delete", "/TN", task, "/F");
    }

    CommandResult help() throws IOException {
        return runner.run(List.of(TOOL, "/?"), PlanApplier.TOOL_TIMEOUT);
    }

    /**
     * The task as Task Scheduler reports it; empty when there is no such task.
     *
     * @param record our copy of the task's XML: on a Windows in another language the "not found" message
     *               is translated, so a failing query of a task we never wrote counts as "not there"
     */
    Optional<SchtasksQuery> query(String task, Path record) throws ManagerException {
        CommandResult result;
        try {
            result = runner.run(List.of(TOOL, "/Query", "/TN", task, "/FO", "LIST", "/V"), PlanApplier.TOOL_TIMEOUT);
        } catch (IOException e) {
            throw new ManagerException(e.getMessage(), e);
        }
        if (result.ok()) {
            return Optional.of(SchtasksQuery.parse(result.stdout()));
        }
        if (result.message().contains(NOT_FOUND) || result.exitCode() == 1 && !Files.exists(record)) {
            return Optional.empty();
        }
        throw ManagerException.failed(result);
    }

    /** Runs one call, throwing when it fails (and may not); {@code record} as for {@link #query}. */
    void call(ToolCall call, Path record) throws ManagerException {
        CommandResult result;
        try {
            result = settling(record).run(call.argv(), PlanApplier.TOOL_TIMEOUT);
        } catch (IOException e) {
            throw new ManagerException(e.getMessage(), e);
        }
        if (!result.ok() && !call.mayFail()) {
            throw ManagerException.failed(result);
        }
    }

    /**
     * A runner for plans and single calls: after an {@code /End} it waits until the task no longer counts as
     * running (or is gone), so that the {@code /Run} or {@code /Create} that follows is not ignored and no
     * two instances overlap; an instance still running after the wait fails the {@code /End}.
     */
    CommandRunner settling(Path record) {
        return (argv, timeout) -> {
            CommandResult result = runner.run(argv, timeout);
            if (argv.size() == 4 && argv.get(0).equals(TOOL) && argv.get(1).equals("/End")) {
                return awaitEnded(argv.get(3), record, result);
            }
            return result;
        };
    }

    private CommandResult awaitEnded(String task, Path record, CommandResult end) throws IOException {
        long deadline = System.nanoTime() + timing.end().toNanos();
        while (true) {
            Optional<SchtasksQuery> now;
            try {
                now = query(task, record);
            } catch (ManagerException e) {
                return end;
            }
            if (now.isEmpty() || !now.get().running()) {
                return end;
            }
            if (System.nanoTime() - deadline >= 0) {
                String still = task + " is still running " + timing.end().toSeconds() + " s after /End";
                return new CommandResult(end.argv(), end.ok() ? 1 : end.exitCode(), end.stdout(),
                        end.message().isEmpty() ? still : end.message() + "; " + still);
            }
            try {
                Thread.sleep(timing.poll().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + task + " to end", e);
            }
        }
    }
}

package dev.nexus.services.manager;

import java.util.List;

/**
 * One OS tool invocation of a plan.
 *
 * @param mayFail true where failure is expected and harmless, e.g. {@code launchctl bootout} of a service
 *                that is not loaded, or stopping a unit that is not running
 */
public record ToolCall(List<String> argv, boolean mayFail) {
    public ToolCall {
        argv = List.copyOf(argv);
    }

    public static ToolCall of(String... argv) {
        return new ToolCall(List.of(argv), false);
    }

    public static ToolCall tolerant(String... argv) {
        return new ToolCall(List.of(argv), true);
    }

    @Override
    public String toString() {
        return String.join(" ", argv) + (mayFail ? "   (may fail)" : "");
    }
}

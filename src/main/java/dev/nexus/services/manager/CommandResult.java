package dev.nexus.services.manager;

import java.util.List;

/** What a finished OS tool returned. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {
    public CommandResult {
        argv = List.copyOf(argv);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** The tool's own words for a failure, for error messages: stderr, else stdout, trimmed. */
    public String message() {
        String text = stderr.isBlank() ? stdout : stderr;
        return text.strip();
    }
}

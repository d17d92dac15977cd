package dev.nexus.services.manager.windows;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds a Windows command line that {@code CommandLineToArgvW} (and the C runtime's argument parser, which
 * follows the same rules) splits back into exactly the arguments given. Windows passes a process one
 * string, not an argv: a task's {@code <Arguments>} is that string, so every argument is quoted here.
 *
 * <p>The rules: whitespace separates arguments unless inside double quotes; a run of 2n backslashes
 * before a double quote is n backslashes and the quote toggles quoting; 2n+1 backslashes before a quote
 * are n backslashes and a literal quote; backslashes anywhere else are literal. So an argument is left
 * bare when it is non-empty and has no space, tab, newline, vertical tab or quote; otherwise it is put in
 * quotes, the backslashes before each inner quote and before the closing quote are doubled, and inner
 * quotes are escaped.
 */
public final class WindowsCommandLine {
    private WindowsCommandLine() {
    }

    public static String quote(String argument) {
        boolean plain = argument.chars().noneMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '"');
        if (!argument.isEmpty() && plain) {
            return argument;
        }
        StringBuilder quoted = new StringBuilder(argument.length() + 2).append('"');
        int backslashes = 0;
        for (int i = 0; i < argument.length(); i++) {
            char c = argument.charAt(i);
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (c == '"') {
                quoted.append("\\".repeat(backslashes * 2 + 1)).append('"');
            } else {
                quoted.append("\\".repeat(backslashes)).append(c);
            }
            backslashes = 0;
        }
        // Before the closing quote backslashes must be doubled, or the last one would escape it.
        return quoted.append("\\".repeat(backslashes * 2)).append('"').toString();
    }

    /** The arguments (not the program) as one command-line string. */
    public static String join(List<String> arguments) {
        return arguments.stream().map(WindowsCommandLine::quote).collect(Collectors.joining(" "));
    }
}

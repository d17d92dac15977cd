package dev.nexus.services.manager.systemd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Writing values into a systemd unit file so that systemd reads back exactly what was meant. Each setting
 * has its own rules (systemd.syntax(7), systemd.service(5), systemd.exec(5)):
 *
 * <ul>
 *   <li>every value goes through specifier expansion, so a literal {@code %} is {@code %%};</li>
 *   <li>{@code ExecStart=} splits words at whitespace, honours double quotes and C escapes, and expands
 *       {@code $NAME} / {@code ${NAME}} at start, so a literal {@code $} in an argument is {@code $$};</li>
 *   <li>{@code Environment=} splits, unquotes and unescapes the same way but expands no variables;</li>
 *   <li>paths ({@code WorkingDirectory=}, {@code append:}) and {@code Description=} are taken verbatim
 *       after specifiers: no quoting, no escapes;</li>
 *   <li>any line ending in a backslash continues on the next one, and surrounding whitespace is trimmed.</li>
 * </ul>
 */
final class SystemdSyntax {
    private SystemdSyntax() {
    }

    /** Characters that stand for themselves in an ExecStart / Environment word without quotes. */
    private static boolean plain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_@%+=:,./-$".indexOf(c) >= 0;
    }

    /**
     * An ExecStart= command line for {@code argv}. The executable must be an absolute path that systemd
     * accepts (no quotes, backslashes or control characters: systemd refuses those in the path outright).
     * A {@code $} in the executable is left alone: systemd does not expand the path it runs, only argv.
     */
    static String commandLine(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("an ExecStart= command line needs at least the executable");
        }
        String executable = argv.get(0);
        if (!executable.startsWith("/")) {
            throw new IllegalArgumentException("systemd needs an absolute path to run, got \"" + executable + "\"");
        }
        for (char c : executable.toCharArray()) {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '\\') {
                throw new IllegalArgumentException("systemd refuses to run an executable whose path contains quotes,"
                        + " backslashes or control characters: \"" + executable + "\"; install nexus-services in"
                        + " a directory without them");
            }
        }
        if (executable.endsWith("/")) {
            throw new IllegalArgumentException("the executable \"" + executable + "\" names a directory");
        }
        StringBuilder line = new StringBuilder(word(executable.replace("%", "%%"), false));
        for (String arg : argv.subList(1, argv.size())) {
            line.append(' ').append(execArgument(arg));
        }
        return line.toString();
    }

    /** One ExecStart= argument after the executable: {@code %} → {@code %%}, {@code $} → {@code $$}, quoted if needed. */
    static String execArgument(String arg) {
        return word(arg.replace("%", "%%").replace("$", "$$"), true);
    }

    /** One {@code Environment=} value: a single {@code NAME=value} word. */
    static String environmentAssignment(String name, String value) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("\"" + name + "\" is not a valid environment variable name");
        }
        return word((name + "=" + value).replace("%", "%%"), false);
    }

    /**
     * A word as systemd's extract_first_word(EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE) reads it back: bare when
     * every character stands for itself, otherwise double-quoted with C escapes.
     *
     * @param loneSemicolonIsSpecial in ExecStart= a bare ";" separates commands
     */
    private static String word(String text, boolean loneSemicolonIsSpecial) {
        boolean bare = !text.isEmpty() && text.chars().allMatch(c -> plain((char) c));
        if (bare && !(loneSemicolonIsSpecial && text.equals(";"))) {
            return text;
        }
        StringBuilder quoted = new StringBuilder(text.length() + 8).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                case '\r' -> quoted.append("\\r");
                case 0 -> throw new IllegalArgumentException("a NUL character cannot be passed to a process: \""
                        + text.replace("\0", "\\0") + "\"");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        quoted.append(String.format("\\x%02x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    /**
     * An absolute path for a setting systemd takes verbatim (WorkingDirectory=, StandardOutput=append:).
     * Only {@code %} needs escaping; what cannot be written at all is refused, naming the setting.
     */
    static String verbatimPath(String setting, Path path) {
        String text = path.toString();
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException(setting + " needs an absolute path, got \"" + text + "\"");
        }
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(setting + " cannot hold a path with a line break or control character: \""
                    + text.replace("\n", "\\n") + "\"");
        }
        if (text.endsWith("\\") || !text.equals(text.strip())) {
            // systemd would read a trailing backslash as a line continuation and trim trailing blanks.
            throw new IllegalArgumentException(setting + " cannot hold a path ending in a backslash or a blank: \""
                    + text + "\"");
        }
        return text.replace("%", "%%");
    }

    /** Free text for Description=: control characters become spaces, nothing can continue the line. */
    static String text(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            out.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        String clean = out.toString().strip();
        while (clean.endsWith("\\")) {
            clean = clean.substring(0, clean.length() - 1).strip();
        }
        return clean.replace("%", "%%");
    }

    /** A time span systemd parses exactly: "5s" for whole seconds, else "1500ms", else microseconds (its unit). */
    static String timeSpan(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a negative time span cannot be written: " + duration);
        }
        long micros = duration.toNanos() / 1000;
        if (micros % 1_000_000 == 0) {
            return micros / 1_000_000 + "s";
        }
        if (micros % 1000 == 0) {
            return micros / 1000 + "ms";
        }
        return micros + "us";
    }
}

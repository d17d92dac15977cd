package dev.nexus.services.manager.launchd;

import java.util.List;
import java.util.Map;

/**
 * Writes an XML property list (the format {@code launchd.plist(5)} reads) with every string escaped, so a
 * path like {@code /Users/ada/R&D <lab>} or a value with quotes cannot break the file.
 */
final class PlistWriter {
    private static final String INDENT = "  ";
    private final StringBuilder out = new StringBuilder();
    private int depth = 1;
    private boolean finished;

    /** @param comment a note for whoever opens the file; must not contain "--" (XML forbids it in comments) */
    PlistWriter(String comment) {
        if (comment.contains("--") || comment.endsWith("-")) {
            throw new IllegalArgumentException("an XML comment cannot contain \"--\" or end with \"-\": " + comment);
        }
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\"")
                .append(" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n")
                .append("<!-- ").append(comment).append(" -->\n")
                .append("<plist version=\"1.0\">\n")
                .append("<dict>\n");
    }

    PlistWriter string(String key, String value) {
        key(key);
        line("<string>" + escape(value) + "</string>");
        return this;
    }

    PlistWriter integer(String key, long value) {
        key(key);
        line("<integer>" + value + "</integer>");
        return this;
    }

    PlistWriter bool(String key, boolean value) {
        key(key);
        line(value ? "<true/>" : "<false/>");
        return this;
    }

    PlistWriter strings(String key, List<String> values) {
        key(key);
        line("<array>");
        depth++;
        values.forEach(v -> line("<string>" + escape(v) + "</string>"));
        depth--;
        line("</array>");
        return this;
    }

    /** A dictionary of strings, in the map's order (EnvironmentVariables). */
    PlistWriter stringDict(String key, Map<String, String> values) {
        beginDict(key);
        values.forEach(this::string);
        return endDict();
    }

    PlistWriter beginDict(String key) {
        key(key);
        line("<dict>");
        depth++;
        return this;
    }

    PlistWriter endDict() {
        if (depth <= 1) {
            throw new IllegalStateException("endDict without beginDict");
        }
        depth--;
        line("</dict>");
        return this;
    }

    String finish() {
        if (depth != 1) {
            throw new IllegalStateException("a dictionary is still open");
        }
        if (!finished) {
            out.append("</dict>\n</plist>\n");
            finished = true;
        }
        return out.toString();
    }

    private void key(String key) {
        line("<key>" + escape(key) + "</key>");
    }

    private void line(String text) {
        if (finished) {
            throw new IllegalStateException("the plist is finished");
        }
        out.append(INDENT.repeat(depth)).append(text).append('\n');
    }

    /**
     * Escapes text for an XML element. Characters XML 1.0 cannot carry at all (NUL and the other C0
     * controls but tab, newline and carriage return) are refused rather than silently dropped: a path or
     * variable that holds one would not reach the service intact.
     */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                // A carriage return would be normalised to a newline by every XML parser: keep it as a reference.
                case '\r' -> escaped.append("&#13;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' || c == 0xFFFE || c == 0xFFFF) {
                        throw new IllegalArgumentException("cannot write " + describe(text)
                                + " to an XML file: it contains the control character U+"
                                + String.format("%04X", (int) c));
                    }
                    escaped.append(c);
                }
            }
        }
        return escaped.toString();
    }

    private static String describe(String text) {
        StringBuilder shown = new StringBuilder("\"");
        text.chars().forEach(c -> shown.append(c < 0x20 ? String.format("\\u%04X", c) : String.valueOf((char) c)));
        return shown.append('"').toString();
    }
}

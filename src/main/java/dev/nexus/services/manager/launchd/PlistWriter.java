package dev.nexus.services.manager.launchd;

import dev.nexus.services.manager.XmlText;
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
        line("<string>" + XmlText.escape(value) + "</string>");
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
        values.forEach(v -> line("<string>" + XmlText.escape(v) + "</string>"));
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
        line("<key>" + XmlText.escape(key) + "</key>");
    }

    private void line(String text) {
        if (finished) {
            throw new IllegalStateException("the plist is finished");
        }
        out.append(INDENT.repeat(depth)).append(text).append('\n');
    }

}

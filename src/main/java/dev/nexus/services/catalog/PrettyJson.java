package dev.nexus.services.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;

import java.util.Map;

/**
 * JSON laid out for people who edit it by hand: two-space indent, {@code "key": value}, one member per
 * line, and short arrays of plain values (commands, dependsOn) on one line. Jackson's pretty printer
 * cannot tell a command array from a list of services, hence this small printer.
 */
final class PrettyJson {
    private static final int INLINE_ARRAY_LIMIT = 100;

    private PrettyJson() {
    }

    /** The document with a trailing newline. */
    static String print(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, 0, out);
        return out.append('\n').toString();
    }

    private static void write(JsonNode node, int indent, StringBuilder out) {
        if (node.isObject()) {
            writeObject(node, indent, out);
        } else if (node.isArray()) {
            writeArray(node, indent, out);
        } else {
            out.append(scalar(node));
        }
    }

    private static void writeObject(JsonNode node, int indent, StringBuilder out) {
        if (node.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append("{\n");
        int remaining = node.size();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            pad(indent + 2, out).append(quote(field.getKey())).append(": ");
            write(field.getValue(), indent + 2, out);
            out.append(--remaining > 0 ? ",\n" : "\n");
        }
        pad(indent, out).append('}');
    }

    private static void writeArray(JsonNode node, int indent, StringBuilder out) {
        if (node.isEmpty()) {
            out.append("[]");
            return;
        }
        String inline = inline(node);
        if (inline != null) {
            out.append(inline);
            return;
        }
        out.append("[\n");
        for (int i = 0; i < node.size(); i++) {
            pad(indent + 2, out);
            write(node.get(i), indent + 2, out);
            out.append(i < node.size() - 1 ? ",\n" : "\n");
        }
        pad(indent, out).append(']');
    }

    /** One line for a short array of plain values, else null. */
    private static String inline(JsonNode array) {
        StringBuilder line = new StringBuilder("[");
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (item.isContainerNode()) {
                return null;
            }
            if (i > 0) {
                line.append(", ");
            }
            line.append(scalar(item));
        }
        line.append(']');
        return line.length() <= INLINE_ARRAY_LIMIT ? line.toString() : null;
    }

    private static StringBuilder pad(int indent, StringBuilder out) {
        return out.append(" ".repeat(indent));
    }

    private static String quote(String text) {
        try {
            return Json.MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a string as JSON", e);
        }
    }

    private static String scalar(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a JSON value", e);
        }
    }
}

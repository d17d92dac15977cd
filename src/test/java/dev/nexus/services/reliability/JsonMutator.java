package dev.nexus.services.reliability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns valid JSON documents into nasty ones, for the fuzzers: structural mutations of the tree (wrong
 * types, missing and extra fields, huge numbers, deep nesting, long and odd strings) and byte mutations of
 * the text (truncation, flipped and inserted bytes, invalid UTF-8, stray structure). Every choice comes from
 * the case's {@link FuzzRandom}, so a case is reproducible from its seed.
 */
final class JsonMutator {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** A number Jackson's tree cannot hold exactly is written as this string, then unquoted in the text. */
    private static final String RAW_NUMBER = "\u0000raw-number:";
    private static final Pattern RAW_NUMBER_TEXT = Pattern.compile("\"\\\\u0000raw-number:([^\"]*)\"");
    private static final byte[][] INVALID_UTF8 = {
        {(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xFE}, {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
    private static final String[] STRUCTURE = {"{", "}", "[", "]", ",", ":", "\"", "\\", "//", "/*", "NaN",
        "Infinity", "-", "e", "null", "true", "\u0000", "\n", ",,", "{}", "[]", "\"\":"};

    /** Names the mutator likes to add: the format's own, so wrong types land on real fields too. */
    private final List<String> fieldNames;

    JsonMutator(List<String> fieldNames) {
        this.fieldNames = List.copyOf(fieldNames);
    }

    // ---- tree mutations --------------------------------------------------------------------------------

    /** A mutated copy of {@code tree}; {@code count} mutations in a row. */
    JsonNode mutateTree(JsonNode tree, FuzzRandom r, int count) {
        JsonNode copy = tree.deepCopy();
        for (int i = 0; i < count; i++) {
            copy = mutateOnce(copy, r);
        }
        return copy;
    }

    private record Slot(JsonNode parent, String field, int index) {
    }

    private JsonNode mutateOnce(JsonNode root, FuzzRandom r) {
        List<Slot> slots = new ArrayList<>();
        collect(root, slots);
        if (slots.isEmpty() || r.chance(0.03)) {
            return nastyValue(r, 0);
        }
        Slot slot = r.pick(slots);
        JsonNode current = slot.parent().isObject() ? slot.parent().get(slot.field()) : slot.parent().get(slot.index());
        switch (r.nextInt(9)) {
            case 0, 1 -> set(slot, nastyValue(r, 0));
            case 2 -> remove(slot);
            case 3 -> {
                if (current.isObject()) {
                    ((ObjectNode) current).set(r.chance(0.7) ? r.pick(fieldNames) : r.nastyString(), nastyValue(r, 0));
                } else if (current.isArray()) {
                    ((ArrayNode) current).add(current.size() > 0 && r.chance(0.5)
                            ? current.get(r.nextInt(current.size())).deepCopy() : nastyValue(r, 0));
                } else {
                    set(slot, wrap(current, r));
                }
            }
            case 4 -> set(slot, wrap(current, r));
            case 5 -> set(slot, deep(r.between(40, 90), r, current));
            case 6 -> set(slot, NODES.textNode(RAW_NUMBER + r.nastyNumberText()));
            case 7 -> set(slot, current.isTextual() ? NODES.textNode(oddVariant(current.textValue(), r)) : nastyValue(r, 0));
            default -> {
                // The same value under a sibling's name, or the sibling's value here: plausible but wrong.
                Slot other = r.pick(slots);
                JsonNode otherValue = other.parent().isObject() ? other.parent().get(other.field())
                        : other.parent().get(other.index());
                if (otherValue != null && !isAncestor(current, otherValue)) {
                    set(slot, otherValue.deepCopy());
                }
            }
        }
        return root;
    }

    private static boolean isAncestor(JsonNode node, JsonNode maybeInside) {
        if (node == maybeInside) {
            return true;
        }
        for (JsonNode child : node) {
            if (isAncestor(child, maybeInside)) {
                return true;
            }
        }
        return false;
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node.isObject()) {
            for (var it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                slots.add(new Slot(node, name, -1));
                collect(node.get(name), slots);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                slots.add(new Slot(node, null, i));
                collect(node.get(i), slots);
            }
        }
    }

    private static void set(Slot slot, JsonNode value) {
        if (slot.parent() instanceof ObjectNode o) {
            o.set(slot.field(), value);
        } else {
            ((ArrayNode) slot.parent()).set(slot.index(), value);
        }
    }

    private static void remove(Slot slot) {
        if (slot.parent() instanceof ObjectNode o) {
            o.remove(slot.field());
        } else {
            ((ArrayNode) slot.parent()).remove(slot.index());
        }
    }

    private JsonNode wrap(JsonNode value, FuzzRandom r) {
        if (r.chance(0.5)) {
            return NODES.arrayNode().add(value.deepCopy());
        }
        ObjectNode o = NODES.objectNode();
        o.set(r.chance(0.5) ? r.pick(fieldNames) : "value", value.deepCopy());
        return o;
    }

    private JsonNode deep(int depth, FuzzRandom r, JsonNode innermost) {
        JsonNode node = innermost.deepCopy();
        for (int i = 0; i < depth; i++) {
            node = r.chance(0.5) ? NODES.arrayNode().add(node) : NODES.objectNode().set(r.pick(fieldNames), node);
        }
        return node;
    }

    /** Any JSON value, sometimes a big or deep one. */
    JsonNode nastyValue(FuzzRandom r, int depth) {
        int kind = depth > 3 ? r.nextInt(6) : r.nextInt(9);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(r.chance(0.5));
            case 2 -> NODES.textNode(r.nastyString());
            case 3 -> NODES.textNode(RAW_NUMBER + r.nastyNumberText());
            case 4 -> NODES.numberNode(r.nextLong());
            case 5 -> NODES.numberNode(r.between(-5, 70_000));
            case 6 -> {
                ArrayNode a = NODES.arrayNode();
                if (depth == 0 && r.chance(0.05)) {
                    // Many small items; big items in big arrays would only measure the fuzzer's own memory.
                    int n = r.between(100, 3000);
                    for (int i = 0; i < n; i++) {
                        a.add(r.chance(0.5) ? NODES.numberNode(r.nextLong()) : NODES.textNode(r.asciiWord(r.between(0, 12))));
                    }
                } else {
                    int n = r.between(0, 4);
                    for (int i = 0; i < n; i++) {
                        a.add(nastyValue(r, depth + 1));
                    }
                }
                yield a;
            }
            case 7 -> {
                ObjectNode o = NODES.objectNode();
                int n = r.between(0, 4);
                for (int i = 0; i < n; i++) {
                    o.set(r.chance(0.6) ? r.pick(fieldNames) : r.nastyString(), nastyValue(r, depth + 1));
                }
                yield o;
            }
            default -> deep(r.between(10, 100), r, NODES.textNode("deep"));
        };
    }

    private static String oddVariant(String text, FuzzRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> text.toUpperCase(java.util.Locale.ROOT);
            case 1 -> " " + text + " ";
            case 2 -> text + text;
            case 3 -> text.isEmpty() ? "\u0000" : text.substring(0, r.nextInt(text.length()));
            case 4 -> text + "\u0000";
            case 5 -> "-" + text;
            case 6 -> text + r.nastyString();
            default -> new StringBuilder(text).reverse().toString();
        };
    }

    /** The tree as compact or pretty UTF-8 text, with raw numbers unquoted. */
    static byte[] toBytes(JsonNode tree, boolean pretty) {
        String text;
        try {
            text = pretty ? Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree)
                    : Json.MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a mutated tree could not be written", e);
        }
        Matcher m = RAW_NUMBER_TEXT.matcher(text);
        text = m.replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
        // A lone surrogate in a string cannot be UTF-8: Java writes '?', which is what a careless editor does too.
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---- byte mutations ----------------------------------------------------------------------------------

    /** {@code count} byte-level mutations of {@code text}. */
    byte[] mutateBytes(byte[] text, FuzzRandom r, int count) {
        byte[] b = text;
        for (int i = 0; i < count; i++) {
            b = mutateBytesOnce(b, r);
        }
        return b;
    }

    private static byte[] mutateBytesOnce(byte[] b, FuzzRandom r) {
        int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
        return switch (r.nextInt(10)) {
            case 0 -> Arrays.copyOf(b, at); // truncated
            case 1 -> {
                byte[] c = b.clone();
                if (c.length > 0) {
                    c[Math.min(at, c.length - 1)] ^= (byte) (1 << r.nextInt(8));
                }
                yield c;
            }
            case 2 -> insert(b, at, INVALID_UTF8[r.nextInt(INVALID_UTF8.length)]);
            case 3 -> insert(b, at, r.bytes(r.between(1, 16)));
            case 4 -> insert(b, at, STRUCTURE[r.nextInt(STRUCTURE.length)].getBytes(StandardCharsets.UTF_8));
            case 5 -> {
                int end = Math.min(b.length, at + r.between(1, 40));
                byte[] c = new byte[b.length - (end - at)];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, end, c, at, b.length - end);
                yield c;
            }
            case 6 -> {
                int end = Math.min(b.length, at + r.between(1, 200));
                yield insert(b, at, Arrays.copyOfRange(b, at, end));
            }
            case 7 -> insert(b, 0, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            case 8 -> insert(b, at, "[".repeat(r.between(60, 20_000)).getBytes(StandardCharsets.US_ASCII));
            default -> {
                // The same key twice in one object.
                String dup = "\"version\": 1, ";
                int brace = indexOf(b, (byte) '{', at);
                yield brace < 0 ? b : insert(b, brace + 1, dup.getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    private static int indexOf(byte[] b, byte wanted, int from) {
        for (int i = Math.max(0, from); i < b.length; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        for (int i = 0; i < Math.min(from, b.length); i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    static byte[] insert(byte[] b, int at, byte[] what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + what.length);
        out.write(b, 0, at);
        out.write(what, 0, what.length);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }
}

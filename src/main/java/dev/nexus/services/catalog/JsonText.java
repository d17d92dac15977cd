package dev.nexus.services.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.Quoted;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads JSON text into a tree plus a map from every JSON pointer to where it is written, so that problems
 * found later in the tree can be reported by line and column. Syntax errors (including duplicate keys)
 * become a {@link CatalogProblem} with Jackson's position and a message cleaned of Java internals.
 */
final class JsonText {
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) ['\"](.*)['\"]");
    private static final Pattern SOURCE_REF = Pattern.compile(
            "\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]");
    private static final Pattern CODE_REF = Pattern.compile(",? from `[^`]*`");
    private static final int MAX_MESSAGE_CHARS = 400;

    /** A place in the text; line and column are 1-based, 0 when unknown. */
    record Position(int line, int column) {
        static final Position UNKNOWN = new Position(0, 0);
    }

    /** Where each JSON pointer is written: the key for an object member, the value for an array element. */
    static final class Locations {
        static final Locations NONE = new Locations(Map.of());
        private final Map<String, Position> byPointer;

        private Locations(Map<String, Position> byPointer) {
            this.byPointer = byPointer;
        }

        /** The pointer's own place, else its nearest written ancestor's (a missing field is reported at its object). */
        Position find(String pointer) {
            String p = pointer;
            while (true) {
                Position found = byPointer.get(p);
                if (found != null) {
                    return found;
                }
                if (p.isEmpty()) {
                    return Position.UNKNOWN;
                }
                p = p.substring(0, p.lastIndexOf('/'));
            }
        }
    }

    /** A parsed text: either a tree with its locations, or the syntax error that stopped parsing. */
    record Scanned(JsonNode tree, Locations locations, CatalogProblem syntaxError) {
    }

    private JsonText() {
    }

    static String child(String pointer, String key) {
        return pointer + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    static String child(String pointer, int index) {
        return pointer + "/" + index;
    }

    static Scanned scan(String text, String source) {
        Map<String, Position> positions = new HashMap<>();
        try (JsonParser parser = Json.MAPPER.createParser(text)) {
            try {
                int roots = 0;
                int depth = 0;
                JsonToken token;
                while ((token = parser.nextToken()) != null) {
                    if (depth == 0) {
                        roots++;
                        if (roots > 1) {
                            Position at = position(parser.currentTokenLocation());
                            return failed(CatalogProblem.error(source, at.line(), at.column(), "",
                                    "invalid JSON: unexpected content after the end of the catalog object"));
                        }
                    }
                    if (token.isStructStart()) {
                        depth++;
                    } else if (token.isStructEnd()) {
                        depth--;
                    }
                    if (!token.isStructEnd()) {
                        positions.putIfAbsent(parser.getParsingContext().pathAsPointer().toString(),
                                position(parser.currentTokenLocation()));
                    }
                }
                if (roots == 0) {
                    return failed(CatalogProblem.error(source, 1, 1, "",
                            "the file is empty; it should hold a JSON object such as {\"version\": 1, \"services\": []}"));
                }
            } catch (JsonProcessingException e) {
                String pointer = parser.getParsingContext().pathAsPointer().toString();
                JsonLocation where = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
                Position at = position(where);
                return failed(CatalogProblem.error(source, at.line(), at.column(), pointer,
                        "invalid JSON: " + cleanMessage(e, pointer, positions)));
            }
        } catch (IOException e) {
            // Reading from a String only fails through JsonProcessingException, handled above.
            throw new IllegalStateException("reading JSON from memory failed", e);
        }
        try {
            return new Scanned(Json.MAPPER.readTree(text), new Locations(Map.copyOf(positions)), null);
        } catch (JsonProcessingException e) {
            // The streaming pass accepted the text, so the tree pass cannot reject it; kept as a defensive report.
            JsonLocation where = e.getLocation();
            Position at = where == null ? Position.UNKNOWN : position(where);
            return failed(CatalogProblem.error(source, at.line(), at.column(), "",
                    "invalid JSON: " + cleanMessage(e, "", positions)));
        }
    }

    private static Scanned failed(CatalogProblem problem) {
        return new Scanned(null, Locations.NONE, problem);
    }

    private static Position position(JsonLocation location) {
        return new Position(Math.max(0, location.getLineNr()), Math.max(0, location.getColumnNr()));
    }

    private static String cleanMessage(JsonProcessingException e, String pointer, Map<String, Position> positions) {
        String message = e.getOriginalMessage();
        if (message == null || message.isBlank()) {
            return "the text is not valid JSON";
        }
        Matcher duplicate = DUPLICATE.matcher(message);
        if (duplicate.matches()) {
            Position first = positions.get(pointer);
            return "duplicate key " + Quoted.of(duplicate.group(1))
                    + (first == null ? "" : "; it is first set at line " + first.line() + ", column " + first.column());
        }
        if (e instanceof StreamConstraintsException) {
            message = CODE_REF.matcher(message).replaceAll("");
        }
        message = SOURCE_REF.matcher(message).replaceAll("line $1, column $2");
        message = Character.toLowerCase(message.charAt(0)) + message.substring(1);
        if (message.startsWith("unexpected character ('}'") || message.startsWith("unexpected character (']'")) {
            message += " (is there a comma after the last item?)";
        }
        // The parser quotes the offending token as it is, control characters included.
        return Quoted.clean(message, MAX_MESSAGE_CHARS);
    }
}

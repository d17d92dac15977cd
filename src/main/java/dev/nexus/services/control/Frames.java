package dev.nexus.services.control;

import static dev.nexus.services.control.ControlProtocol.BAD_REQUEST;
import static dev.nexus.services.control.ControlProtocol.FIELD_ARGS;
import static dev.nexus.services.control.ControlProtocol.FIELD_CODE;
import static dev.nexus.services.control.ControlProtocol.FIELD_DATA;
import static dev.nexus.services.control.ControlProtocol.FIELD_ERROR;
import static dev.nexus.services.control.ControlProtocol.FIELD_EVENT;
import static dev.nexus.services.control.ControlProtocol.FIELD_ID;
import static dev.nexus.services.control.ControlProtocol.FIELD_MESSAGE;
import static dev.nexus.services.control.ControlProtocol.FIELD_OK;
import static dev.nexus.services.control.ControlProtocol.FIELD_OP;
import static dev.nexus.services.control.ControlProtocol.FIELD_RESULT;
import static dev.nexus.services.control.ControlProtocol.FIELD_VERSION;
import static dev.nexus.services.control.ControlProtocol.SUPPORTED_VERSIONS;
import static dev.nexus.services.control.ControlProtocol.UNSUPPORTED_VERSION;
import static dev.nexus.services.control.ControlProtocol.VERSION;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Building, encoding and decoding of protocol frames; shared by server and client. */
final class Frames {
    /** Trailing tokens would mean two frames on one line, or garbage after a valid one. */
    private static final ObjectReader READER = Json.MAPPER.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonNodeFactory NODES = Json.MAPPER.getNodeFactory();
    private static final int MAX_DETAIL_CHARS = 200;

    /** A well-formed request. */
    record Request(JsonNode id, String op, ObjectNode args) {
    }

    /** A line that is not a usable request; {@code id} is what the error reply echoes (maybe null). */
    static final class RejectedFrame extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient JsonNode id;
        private final String code;

        RejectedFrame(JsonNode id, String code, String message) {
            super(message, null, false, false);
            this.id = id;
            this.code = code;
        }

        JsonNode id() {
            return id;
        }

        String code() {
            return code;
        }
    }

    private Frames() {
    }

    /** Parses one line as JSON: strict UTF-8, depth limited by {@link Json#MAX_NESTING}, one value only. */
    static JsonNode parse(byte[] line) throws RejectedFrame {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RejectedFrame(null, BAD_REQUEST, "request is not valid UTF-8");
        }
        try {
            JsonNode node = READER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new RejectedFrame(null, BAD_REQUEST, "request is empty");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new RejectedFrame(null, BAD_REQUEST,
                    "request is not acceptable JSON (at most " + Json.MAX_NESTING + " levels of nesting): "
                            + clip(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new RejectedFrame(null, BAD_REQUEST, "request is not valid JSON: " + clip(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            // readTree(String) does no real I/O; anything else is the parser refusing the input.
            throw new RejectedFrame(null, BAD_REQUEST, "request is not valid JSON: " + clip(e.getMessage()));
        }
    }

    /** Checks a parsed line against the request shape; see {@link ControlProtocol}. */
    static Request toRequest(JsonNode root) throws RejectedFrame {
        if (!root.isObject()) {
            throw new RejectedFrame(null, BAD_REQUEST, "request must be a JSON object, got " + typeOf(root));
        }
        JsonNode id = root.get(FIELD_ID);
        JsonNode echoId = id != null && (id.isTextual() || echoable(id)) ? id : null;

        JsonNode version = root.get(FIELD_VERSION);
        if (version == null) {
            throw new RejectedFrame(echoId, UNSUPPORTED_VERSION,
                    "request has no \"v\"; supported versions: " + SUPPORTED_VERSIONS);
        }
        if (!version.isIntegralNumber() || !version.canConvertToLong() || version.longValue() != VERSION) {
            throw new RejectedFrame(echoId, UNSUPPORTED_VERSION, "protocol version " + clip(version.toString())
                    + " is not supported; supported versions: " + SUPPORTED_VERSIONS);
        }
        if (id == null) {
            throw new RejectedFrame(null, BAD_REQUEST, "request has no \"id\" (a string or number)");
        }
        if (echoId == null && id.isNumber()) {
            throw new RejectedFrame(null, BAD_REQUEST, "\"id\" is a number too large to be echoed back as it was "
                    + "sent; use a string or a smaller number");
        }
        if (echoId == null) {
            throw new RejectedFrame(null, BAD_REQUEST, "\"id\" must be a string or number, got " + typeOf(id));
        }
        JsonNode op = root.get(FIELD_OP);
        if (op == null || op.isNull()) {
            throw new RejectedFrame(echoId, BAD_REQUEST, "request has no \"op\"");
        }
        if (!op.isTextual()) {
            throw new RejectedFrame(echoId, BAD_REQUEST, "\"op\" must be a string, got " + typeOf(op));
        }
        if (op.textValue().isEmpty()) {
            throw new RejectedFrame(echoId, BAD_REQUEST, "\"op\" must not be empty");
        }
        JsonNode args = root.get(FIELD_ARGS);
        if (args == null || args.isNull()) {
            return new Request(echoId, op.textValue(), NODES.objectNode());
        }
        if (!args.isObject()) {
            throw new RejectedFrame(echoId, BAD_REQUEST, "\"args\" must be an object, got " + typeOf(args));
        }
        return new Request(echoId, op.textValue(), (ObjectNode) args);
    }

    /**
     * A number the reply can carry back unchanged. 1e400 reads as an infinite double, which JSON cannot
     * write as a number (it would go back as the string "Infinity"): such an id is refused, not altered.
     */
    private static boolean echoable(JsonNode id) {
        return id.isNumber() && (!id.isFloatingPointNumber() || Double.isFinite(id.doubleValue()));
    }

    static ObjectNode request(long id, String op, JsonNode args) {
        ObjectNode frame = NODES.objectNode();
        frame.put(FIELD_VERSION, VERSION);
        frame.put(FIELD_ID, id);
        frame.put(FIELD_OP, op);
        if (args != null && !args.isNull()) {
            frame.set(FIELD_ARGS, args);
        }
        return frame;
    }

    static ObjectNode success(JsonNode id, JsonNode result) {
        ObjectNode frame = replyHeader(id);
        frame.put(FIELD_OK, true);
        frame.set(FIELD_RESULT, result == null ? NullNode.getInstance() : result);
        return frame;
    }

    static ObjectNode failure(JsonNode id, String code, String message) {
        ObjectNode frame = replyHeader(id);
        frame.put(FIELD_OK, false);
        ObjectNode error = frame.putObject(FIELD_ERROR);
        error.put(FIELD_CODE, code);
        error.put(FIELD_MESSAGE, message);
        return frame;
    }

    static ObjectNode event(String name, JsonNode data) {
        ObjectNode frame = NODES.objectNode();
        frame.put(FIELD_VERSION, VERSION);
        frame.put(FIELD_EVENT, name);
        frame.set(FIELD_DATA, data == null ? NullNode.getInstance() : data);
        return frame;
    }

    /** The frame as UTF-8 with its terminating newline. */
    static byte[] encode(JsonNode frame) throws JsonProcessingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            Json.MAPPER.writeValue(out, frame);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** The failure reply for a refused frame, which always encodes (it holds only strings). */
    static byte[] encodeFailure(JsonNode id, String code, String message) {
        try {
            return encode(failure(id, code, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error reply of plain strings failed to encode", e);
        }
    }

    static String typeOf(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static String clip(String text) {
        if (text == null) {
            return "(no detail)";
        }
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX_DETAIL_CHARS ? oneLine : oneLine.substring(0, MAX_DETAIL_CHARS) + "…";
    }

    private static ObjectNode replyHeader(JsonNode id) {
        ObjectNode frame = NODES.objectNode();
        frame.put(FIELD_VERSION, VERSION);
        frame.set(FIELD_ID, id == null ? NullNode.getInstance() : id);
        return frame;
    }
}

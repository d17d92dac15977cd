package dev.nexus.services.control;

import java.util.List;

/**
 * The engine's local control protocol, version 1: newline-delimited JSON over a Unix domain socket
 * ({@code $NEXUS_ROOT/state/run/control.sock}, directory 0700, socket 0600).
 *
 * <h2>Framing</h2>
 * Every frame is one JSON object encoded as UTF-8 on one line, ended by {@code \n} (a {@code \r}
 * before it is tolerated, blank lines are ignored). A request line may be at most
 * {@link #MAX_REQUEST_BYTES} bytes without its newline; JSON may nest at most
 * {@link dev.nexus.services.support.Json#MAX_NESTING} levels.
 *
 * <h2>Client → engine: request</h2>
 * <pre>{"v":1,"id":"7","op":"snapshot","args":{...}}</pre>
 * {@code id} is a string or a number chosen by the client and echoed back unchanged; {@code args} is
 * optional (absent or null means an empty object). Requests on one connection are handled one at a
 * time in the order they arrive, so replies come back in request order; a long-running op delays only
 * later requests on the same connection (open another connection to work in parallel).
 *
 * <h2>Engine → client: reply</h2>
 * <pre>
 * {"v":1,"id":"7","ok":true,"result":{...}}
 * {"v":1,"id":"7","ok":false,"error":{"code":"bad_request","message":"..."}}
 * </pre>
 * When the request's id could not be read (not JSON, oversized, id missing or ill-typed, or a
 * refusal at connect time) the reply carries {@code "id":null}.
 *
 * <h2>Engine → client: event</h2>
 * <pre>{"v":1,"event":"service","data":{...}}</pre> (events: service, removed, engine)
 * Unsolicited, sent only after an op registered the connection for them (for example "subscribe").
 * A client that does not read fast enough is disconnected instead of holding the engine back.
 *
 * <h2>Error codes</h2>
 * <ul>
 *   <li>{@value #BAD_REQUEST}: not UTF-8, not JSON, not an object, nested too deep, or {@code id},
 *       {@code op} or {@code args} missing or of the wrong type.</li>
 *   <li>{@value #TOO_LARGE}: the line was longer than {@link #MAX_REQUEST_BYTES}; the engine replies
 *       as soon as it notices and skips the rest of the line. The connection stays usable.</li>
 *   <li>{@value #UNSUPPORTED_VERSION}: {@code v} missing or not a supported version; the message
 *       lists {@link #SUPPORTED_VERSIONS}.</li>
 *   <li>{@value #UNKNOWN_OP}: the engine has no such op.</li>
 *   <li>{@value #INTERNAL}: the engine failed while handling the request; the message is generic on
 *       purpose (details, which may contain secrets, go to the engine log only).</li>
 *   <li>{@value #TOO_MANY_CONNECTIONS}: sent once, with {@code "id":null}, to a connection beyond
 *       the engine's limit, which is then closed.</li>
 *   <li>any other code an op refuses with (see the engine's ops).</li>
 * </ul>
 * No request, however malformed, ends the connection or the engine: the reply says what was wrong
 * and the next line is read as usual. Input that ends without a final newline is dropped.
 *
 * <h2>End of a connection</h2>
 * When the client stops sending (closes or only shuts down its output, as {@code nc -U} does) the
 * engine finishes the requests it has read, sends their replies and then closes the connection; a
 * subscription therefore lasts only as long as the client keeps its sending side open.
 */
public final class ControlProtocol {
    public static final int VERSION = 1;
    public static final List<Integer> SUPPORTED_VERSIONS = List.of(VERSION);

    /** The longest request line the engine reads, in bytes, newline excluded. */
    public static final int MAX_REQUEST_BYTES = 1 << 20;

    public static final String FIELD_VERSION = "v";
    public static final String FIELD_ID = "id";
    public static final String FIELD_OP = "op";
    public static final String FIELD_ARGS = "args";
    public static final String FIELD_OK = "ok";
    public static final String FIELD_RESULT = "result";
    public static final String FIELD_ERROR = "error";
    public static final String FIELD_CODE = "code";
    public static final String FIELD_MESSAGE = "message";
    public static final String FIELD_EVENT = "event";
    public static final String FIELD_DATA = "data";

    public static final String BAD_REQUEST = "bad_request";
    public static final String TOO_LARGE = "too_large";
    public static final String UNSUPPORTED_VERSION = "unsupported_version";
    public static final String UNKNOWN_OP = "unknown_op";
    public static final String INTERNAL = "internal";
    public static final String TOO_MANY_CONNECTIONS = "too_many_connections";

    private ControlProtocol() {
    }
}

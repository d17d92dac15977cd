package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.support.Json;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The frames of the gateway's WebSocket protocol as observed on real gateways (DESIGN.md, "The gateway
 * protocol"): requests {@code {"type":"req","id","method","params"}}, responses
 * {@code {"type":"res","id","ok","payload"|"error"}}, events {@code {"type":"event","event","payload"}}.
 */
public final class GatewayProtocol {
    public static final int MIN_PROTOCOL = 3;
    public static final int MAX_PROTOCOL = 4;
    public static final String ROLE = "operator";
    /** Read-only: health and status are all Nexus Services asks for. */
    public static final List<String> SCOPES = List.of("operator.read");
    /** What a gateway that states no tick interval is assumed to use. */
    public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofSeconds(30);

    public static final int CLOSE_NORMAL = 1000;
    /** Auth failures and other policy refusals. */
    public static final int CLOSE_POLICY_VIOLATION = 1008;
    /** Protocol mismatch. */
    public static final int CLOSE_PROTOCOL_ERROR = 1002;
    /** After a {@code shutdown} event: a planned restart. */
    public static final int CLOSE_SERVICE_RESTART = 1012;

    static final String CONNECT_ID = "c1";

    private GatewayProtocol() {
    }

    public static boolean supports(int protocol) {
        return protocol >= MIN_PROTOCOL && protocol <= MAX_PROTOCOL;
    }

    /**
     * The {@code connect} request answering a challenge.
     *
     * @param device the signed device block, or null to connect without a device identity
     */
    static ObjectNode connect(ClientInfo client, Optional<Secret> token, ObjectNode device) {
        ObjectNode params = Json.MAPPER.createObjectNode();
        params.put("minProtocol", MIN_PROTOCOL);
        params.put("maxProtocol", MAX_PROTOCOL);
        ObjectNode c = params.putObject("client");
        c.put("id", client.id());
        c.put("version", client.version());
        c.put("platform", client.platform());
        c.put("mode", client.mode());
        params.put("role", ROLE);
        SCOPES.forEach(params.putArray("scopes")::add);
        params.putArray("caps");
        token.ifPresent(t -> params.putObject("auth").put("token", t.reveal()));
        if (device != null) {
            params.set("device", device);
        }
        return request(CONNECT_ID, "connect", params);
    }

    static ObjectNode request(String id, String method, JsonNode params) {
        ObjectNode req = Json.MAPPER.createObjectNode();
        req.put("type", "req");
        req.put("id", id);
        req.put("method", method);
        req.set("params", params == null ? Json.MAPPER.createObjectNode() : params);
        return req;
    }

    /**
     * The text a device signs (the gateway's v3 device-auth payload):
     * {@code v3|deviceId|clientId|mode|role|scopes|signedAtMs|token|nonce|platform|deviceFamily}.
     */
    static String deviceAuthPayload(String deviceId, ClientInfo client, long signedAtMs, Optional<Secret> token,
                                    String nonce) {
        return String.join("|", "v3", deviceId, client.id(), client.mode(), ROLE, String.join(",", SCOPES),
                Long.toString(signedAtMs), token.map(Secret::reveal).orElse(""), nonce == null ? "" : nonce,
                client.platform().trim().toLowerCase(java.util.Locale.ROOT), "");
    }
}

package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Quoted;
import java.time.Duration;

/**
 * What {@code hello-ok} told us: the protocol chosen, the server's version and how often it ticks.
 *
 * @param serverVersion null when the gateway does not say
 */
public record GatewayHello(int protocol, String serverVersion, Duration tickInterval) {
    /**
     * Longer announced intervals are taken as this: the heartbeat limit is twice the interval, and an
     * interval of years (or one that overflows a timer) would mean a dead session is never noticed.
     */
    static final Duration MAX_TICK_INTERVAL = Duration.ofHours(1);

    /**
     * @throws IllegalArgumentException when the payload is not a hello-ok with a protocol number
     */
    static GatewayHello parse(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            throw new IllegalArgumentException("the connect answer has no payload");
        }
        JsonNode type = payload.get("type");
        if (type != null && !"hello-ok".equals(type.asText())) {
            throw new IllegalArgumentException("the connect answer is " + Quoted.of(type.asText()) + ", not hello-ok");
        }
        JsonNode protocol = payload.get("protocol");
        if (protocol == null || !protocol.canConvertToInt() || !protocol.isIntegralNumber()) {
            throw new IllegalArgumentException("hello-ok names no protocol version");
        }
        JsonNode version = payload.path("server").get("version");
        JsonNode tick = payload.path("policy").get("tickIntervalMs");
        Duration interval = tick != null && tick.isNumber() && tick.asLong() > 0
                ? Duration.ofMillis(Math.min(tick.asLong(), MAX_TICK_INTERVAL.toMillis()))
                : GatewayProtocol.DEFAULT_TICK_INTERVAL;
        return new GatewayHello(protocol.intValue(),
                version == null || version.isNull() ? null : Quoted.clean(version.asText(), Quoted.MAX_CHARS), interval);
    }
}

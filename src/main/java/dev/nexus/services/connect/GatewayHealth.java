package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Quoted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answer to the {@code health} request, reduced to what a status needs: did it succeed, how long
 * the round trip took, and each messaging channel's state.
 *
 * @param durationMs how long the gateway says it took to collect its health, or null
 */
public record GatewayHealth(boolean ok, Duration roundTrip, Long durationMs, List<Channel> channels) {
    private static final int MAX_DETAIL_CHARS = 200;

    public GatewayHealth {
        channels = List.copyOf(channels);
    }

    public enum ChannelState {
        UP, DOWN, NOT_CONFIGURED
    }

    /**
     * One messaging channel (telegram, whatsapp, …).
     *
     * @param detail why it is in that state: "linked", "not linked", "failed (401) - Unauthorized"
     */
    public record Channel(String id, String label, ChannelState state, String detail) {
    }

    /** Channels that are configured but not working. */
    public List<Channel> down() {
        return channels.stream().filter(c -> c.state() == ChannelState.DOWN).toList();
    }

    public List<Channel> up() {
        return channels.stream().filter(c -> c.state() == ChannelState.UP).toList();
    }

    /**
     * Reads the payload: {@code {"ok":true,"durationMs":…,"channels":{id:{…}},"channelOrder":[…],
     * "channelLabels":{id:label}}}. A channel is down when it is configured and enabled but not linked,
     * its probe (or one of its accounts' probes) failed, or it says it is not running or not connected.
     */
    static GatewayHealth parse(JsonNode payload, Duration roundTrip) {
        boolean ok = payload == null || !payload.has("ok") || payload.get("ok").asBoolean(true);
        JsonNode duration = payload == null ? null : payload.get("durationMs");
        JsonNode channels = payload == null ? null : payload.get("channels");
        List<Channel> list = new ArrayList<>();
        if (channels != null && channels.isObject()) {
            JsonNode labels = payload.path("channelLabels");
            for (String id : order(payload.get("channelOrder"), channels)) {
                JsonNode c = channels.get(id);
                if (c == null || !c.isObject()) {
                    continue;
                }
                String label = labels.hasNonNull(id) ? labels.get(id).asText()
                        : c.hasNonNull("label") ? c.get("label").asText() : id;
                list.add(cleaned(channel(id, label, c)));
            }
        }
        return new GatewayHealth(ok, roundTrip, duration != null && duration.isNumber() ? duration.asLong() : null, list);
    }

    private static Set<String> order(JsonNode channelOrder, JsonNode channels) {
        Set<String> ids = new LinkedHashSet<>();
        if (channelOrder != null && channelOrder.isArray()) {
            channelOrder.forEach(id -> {
                if (id.isTextual() && channels.has(id.textValue())) {
                    ids.add(id.textValue());
                }
            });
        }
        for (Iterator<String> it = channels.fieldNames(); it.hasNext(); ) {
            ids.add(it.next());
        }
        return ids;
    }

    private static Channel channel(String id, String label, JsonNode c) {
        if (isFalse(c, "enabled")) {
            return new Channel(id, label, ChannelState.NOT_CONFIGURED, "disabled");
        }
        if (isFalse(c, "configured")) {
            return new Channel(id, label, ChannelState.NOT_CONFIGURED, "not configured");
        }
        String failure = failure(c);
        if (failure == null) {
            JsonNode accounts = c.get("accounts");
            if (accounts != null && accounts.isObject()) {
                for (Map.Entry<String, JsonNode> account : accounts.properties()) {
                    JsonNode a = account.getValue();
                    if (!a.isObject() || isFalse(a, "enabled") || isFalse(a, "configured")) {
                        continue;
                    }
                    String f = failure(a);
                    if (f != null) {
                        failure = "account " + account.getKey() + ": " + f;
                        break;
                    }
                }
            }
        }
        if (failure != null) {
            return new Channel(id, label, ChannelState.DOWN, failure);
        }
        String detail = Boolean.TRUE.equals(bool(c, "linked")) ? "linked"
                : Boolean.TRUE.equals(bool(c.path("probe"), "ok")) ? "ok" : "configured";
        return new Channel(id, label, ChannelState.UP, detail);
    }

    /** What the gateway said, made fit for a status line: escaped and clipped. */
    private static Channel cleaned(Channel c) {
        return new Channel(Quoted.clean(c.id(), Quoted.MAX_CHARS), Quoted.clean(c.label(), Quoted.MAX_CHARS), c.state(),
                c.detail() == null ? null : Quoted.clean(c.detail(), MAX_DETAIL_CHARS));
    }

    /** Why one channel or account is not working, or null when nothing says so. */
    private static String failure(JsonNode c) {
        if (isFalse(c, "linked")) {
            return "not linked";
        }
        JsonNode probe = c.get("probe");
        if (probe != null && probe.isObject() && isFalse(probe, "ok")) {
            StringBuilder b = new StringBuilder("failed");
            if (probe.hasNonNull("status")) {
                b.append(" (").append(probe.get("status").asText()).append(')');
            }
            if (probe.hasNonNull("error")) {
                b.append(" - ").append(probe.get("error").asText());
            }
            return b.toString();
        }
        if (isFalse(c, "running")) {
            return c.hasNonNull("lastError") ? "not running: " + c.get("lastError").asText() : "not running";
        }
        if (isFalse(c, "connected")) {
            return c.hasNonNull("lastError") ? "not connected: " + c.get("lastError").asText() : "not connected";
        }
        if (isFalse(c, "ok")) {
            return c.hasNonNull("error") ? c.get("error").asText() : "not ok";
        }
        return null;
    }

    private static boolean isFalse(JsonNode node, String field) {
        return Boolean.FALSE.equals(bool(node, field));
    }

    private static Boolean bool(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isBoolean() ? v.booleanValue() : null;
    }
}

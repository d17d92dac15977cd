package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.connect.GatewayHealth.Channel;
import dev.nexus.services.connect.GatewayHealth.ChannelState;
import dev.nexus.services.support.Json;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading the health payload's channels, in the shapes gateways send them. */
class GatewayHealthTest {
    private static GatewayHealth parse(String json) throws Exception {
        JsonNode payload = Json.MAPPER.readTree(json);
        return GatewayHealth.parse(payload, Duration.ofMillis(7));
    }

    @Test
    void channelsInTheGatewaysOrderWithTheirLabelsAndStates() throws Exception {
        GatewayHealth h = parse("""
                {"ok": true, "ts": 1, "durationMs": 42,
                 "channelOrder": ["whatsapp", "telegram", "discord", "slack", "signal", "imessage", "matrix"],
                 "channelLabels": {"whatsapp": "WhatsApp", "telegram": "Telegram", "discord": "Discord"},
                 "channels": {
                   "telegram": {"accountId": "default", "configured": true, "probe": {"ok": false, "status": 401,
                                "error": "Unauthorized"}},
                   "whatsapp": {"accountId": "default", "linked": true, "authAgeMs": 60000},
                   "discord": {"configured": false},
                   "slack": {"configured": true, "probe": {"ok": true, "elapsedMs": 80}},
                   "signal": {"configured": true, "accounts": {
                       "default": {"configured": true, "probe": {"ok": true}},
                       "work": {"configured": true, "linked": false}}},
                   "imessage": {"enabled": false, "linked": false},
                   "matrix": {"configured": true, "running": false, "lastError": "sync stopped"}
                 }}""");
        assertTrue(h.ok());
        assertEquals(Long.valueOf(42), h.durationMs());
        assertEquals(Duration.ofMillis(7), h.roundTrip());
        assertEquals(List.of(
                new Channel("whatsapp", "WhatsApp", ChannelState.UP, "linked"),
                new Channel("telegram", "Telegram", ChannelState.DOWN, "failed (401) - Unauthorized"),
                new Channel("discord", "Discord", ChannelState.NOT_CONFIGURED, "not configured"),
                new Channel("slack", "slack", ChannelState.UP, "ok"),
                new Channel("signal", "signal", ChannelState.DOWN, "account work: not linked"),
                new Channel("imessage", "imessage", ChannelState.NOT_CONFIGURED, "disabled"),
                new Channel("matrix", "matrix", ChannelState.DOWN, "not running: sync stopped")), h.channels());
        assertEquals(List.of("telegram", "signal", "matrix"), h.down().stream().map(Channel::id).toList());
    }

    @Test
    void aPayloadWithoutChannelsIsHealthyWithNone() throws Exception {
        GatewayHealth h = parse("{\"ok\": true}");
        assertTrue(h.ok());
        assertTrue(h.channels().isEmpty());
        assertNull(h.durationMs());
        assertFalse(parse("{\"ok\": false}").ok());
    }
}

package dev.nexus.services.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nexus.services.support.NexusPaths;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayModeTest {
    private final NexusPaths paths = new NexusPaths(Path.of("/tmp/nexus-gateway-mode"));
    private final Catalog defaults = NexusDefaults.catalog(paths);

    @Test
    void theDefaultsRunTheGatewayLocally() {
        assertEquals(Optional.of(GatewayMode.LOCAL), GatewayMode.of(defaults));
        assertEquals(Optional.empty(), GatewayMode.remoteUrl(defaults));
    }

    @Test
    void switchingToRemoteKeepsThePlaceAndTheEnabledFlagAndBackRestoresTheLocalDaemon() {
        Catalog disabled = new Catalog(1, defaults.services().stream()
                .map(s -> s.name().equals("gateway") ? s.withEnabled(false) : s).toList());
        URI url = URI.create("wss://gw.example.com/");

        Catalog remote = GatewayMode.switchTo(disabled, paths, GatewayMode.REMOTE, url);
        assertEquals(defaults.names(), remote.names());
        ServiceSpec gateway = remote.find("gateway").orElseThrow();
        assertEquals(ServiceKind.CONNECTION, gateway.kind());
        assertEquals(url, gateway.url());
        assertFalse(gateway.enabled());
        assertEquals(Optional.of(url), GatewayMode.remoteUrl(remote));

        Catalog local = GatewayMode.switchTo(remote, paths, GatewayMode.LOCAL, null);
        assertEquals(disabled, local);
    }

    @Test
    void aCatalogWithoutAGatewayGetsOneFirst() {
        Catalog without = new Catalog(1, defaults.services().stream().filter(s -> !s.name().equals("gateway")).toList());
        assertEquals(Optional.empty(), GatewayMode.of(without));
        Catalog with = GatewayMode.switchTo(without, paths, GatewayMode.LOCAL, null);
        assertEquals(List.of("gateway", "cloud", "hub", "collab"), with.names());
    }

    @Test
    void badRemoteUrlsAreRefusedWithTheReason() {
        assertEquals("a remote gateway needs its URL, e.g. wss://gateway.example.com/",
                assertThrows(IllegalArgumentException.class, () -> GatewayMode.parseRemoteUrl(" ")).getMessage());
        assertEquals("a remote gateway URL starts with ws:// or wss://, not \"https://gw/\"",
                assertThrows(IllegalArgumentException.class, () -> GatewayMode.parseRemoteUrl("https://gw/")).getMessage());
        assertEquals("the remote gateway URL \"ws:///x\" has no host",
                assertThrows(IllegalArgumentException.class, () -> GatewayMode.parseRemoteUrl("ws:///x")).getMessage());
        assertEquals(URI.create("ws://10.0.0.2:18789/"), GatewayMode.parseRemoteUrl(" ws://10.0.0.2:18789/ "));
    }
}

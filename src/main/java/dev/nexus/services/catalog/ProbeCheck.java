package dev.nexus.services.catalog;

import java.net.URI;
import java.util.List;

/** What a probe looks at. JSON: the "type" field selects the variant. */
public sealed interface ProbeCheck {
    /** The JSON "type" of this check. */
    String type();

    /** The service's own process (or process tree) is alive. */
    record ProcessAlive() implements ProbeCheck {
        public String type() {
            return "process";
        }
    }

    /** A TCP connect succeeds. */
    record Tcp(String host, int port) implements ProbeCheck {
        public String type() {
            return "tcp";
        }
    }

    /** An HTTP GET answers 2xx (healthy) or 429 (degraded). */
    record Http(URI url) implements ProbeCheck {
        public String type() {
            return "http";
        }
    }

    /** A WebSocket handshake succeeds and a ping is answered. */
    record WebSocket(URI url) implements ProbeCheck {
        public String type() {
            return "websocket";
        }
    }

    /**
     * The gateway's own protocol over one long-lived session: hello, then a {@code health} request per
     * try (server version, protocol, channels).
     *
     * @param token  where the gateway token is kept, as a reference ({@code credential:gateway/token},
     *               {@code op://vault/item/field}); null for the default: the credential gateway/token,
     *               else the environment (NEXUS_GATEWAY_TOKEN), else none
     * @param device sign each connect with this installation's Ed25519 device identity
     */
    record Gateway(URI url, String token, boolean device) implements ProbeCheck {
        public Gateway {
            java.util.Objects.requireNonNull(url, "url");
        }

        /** The default token, no device identity. */
        public Gateway(URI url) {
            this(url, null, false);
        }

        public String type() {
            return "gateway";
        }
    }

    /** A command exits 0 (healthy), 1 (degraded) or otherwise (failed); JSON stdout becomes detail. */
    record Exec(List<String> command) implements ProbeCheck {
        public Exec {
            command = List.copyOf(command);
        }

        public String type() {
            return "exec";
        }
    }
}

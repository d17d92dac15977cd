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

package dev.nexus.services.connect;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Short, precise words for why a connection failed: "connection refused (127.0.0.1:18789)". */
final class Failures {
    private Failures() {
    }

    static String describe(Throwable error, URI url) {
        Throwable t = unwrap(error);
        String hostPort = hostPort(url);
        if (t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException
                || t instanceof SocketTimeoutException) {
            return "timed out connecting to " + hostPort;
        }
        if (t instanceof WebSocketHandshakeException h) {
            return "WebSocket handshake rejected with HTTP " + h.getResponse().statusCode() + " (" + hostPort + ")";
        }
        if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
            return "unknown host (" + hostPort + ")";
        }
        if (t instanceof ConnectException) {
            String m = t.getMessage();
            if (m == null || m.toLowerCase(Locale.ROOT).contains("refused")) {
                return "connection refused (" + hostPort + ")";
            }
        }
        return describe(t) + " (" + hostPort + ")";
    }

    static String describe(Throwable error) {
        Throwable t = unwrap(error);
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        // The HTTP client wraps the real cause of a failed connect in a plain IOException.
        if (t.getClass() == IOException.class && t.getCause() instanceof IOException cause) {
            return cause;
        }
        return t;
    }

    static String hostPort(URI url) {
        int port = url.getPort();
        if (port < 0) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            port = scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
        }
        String host = url.getHost();
        return (host != null && host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }
}

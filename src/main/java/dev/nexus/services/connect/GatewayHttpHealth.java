package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's HTTP health endpoints, {@code GET /healthz} → {@code {"ok":true,"status":"live"}} and
 * {@code GET /readyz} → {@code {"ready":…}}. Only newer gateways have them; older ones answer every path
 * with the control UI's HTML and a 200, which must never pass for healthy. So an answer counts only when
 * it is JSON by content type and by shape; anything else means "this gateway has no such endpoint".
 */
public final class GatewayHttpHealth {
    /** Health answers are tiny; a larger body is not one. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    public enum Endpoint {
        LIVE("/healthz"), READY("/readyz");

        private final String path;

        Endpoint(String path) {
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    /** Whether the gateway has the endpoint at all. */
    public enum Support {
        /** A JSON answer of the right shape: its verdict counts. */
        SUPPORTED,
        /** HTML, 404, or JSON of another shape: an older gateway; ask over the WebSocket instead. */
        NOT_SUPPORTED,
        /** No answer (refused, timed out): says nothing about support. */
        UNREACHABLE
    }

    /**
     * @param passing true only for SUPPORTED with ok/live or ready true
     * @param message for people: "live", "not ready: channels starting", "answers HTML (an older gateway's control UI)"
     * @param body    the JSON answer when it was one, else null
     */
    public record Result(Endpoint endpoint, Support support, boolean passing, String message, JsonNode body) {
    }

    private final HttpClient http;

    public GatewayHttpHealth(HttpClient http) {
        this.http = Objects.requireNonNull(http, "http");
    }

    /** The HTTP URL of an endpoint of the gateway at {@code gatewayUrl} (ws → http, wss → https). */
    public static URI endpointUrl(URI gatewayUrl, Endpoint endpoint) {
        String scheme = gatewayUrl.getScheme() == null ? "" : gatewayUrl.getScheme().toLowerCase(Locale.ROOT);
        String httpScheme = switch (scheme) {
            case "wss", "https" -> "https";
            default -> "http";
        };
        try {
            return new URI(httpScheme, null, gatewayUrl.getHost(), gatewayUrl.getPort(), endpoint.path(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot make a health URL from " + gatewayUrl + ": " + e.getMessage(), e);
        }
    }

    /** One GET, bounded by {@code timeout}; never completes exceptionally. */
    public CompletableFuture<Result> check(URI gatewayUrl, Endpoint endpoint, Duration timeout) {
        URI target;
        try {
            target = endpointUrl(gatewayUrl, endpoint);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Result(endpoint, Support.UNREACHABLE, false, e.getMessage(), null));
        }
        HttpRequest request = HttpRequest.newBuilder(target).GET().timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", "nexus-services")
                .build();
        CompletableFuture<HttpResponse<byte[]>> response;
        try {
            response = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Result(endpoint, Support.UNREACHABLE, false,
                    Failures.describe(e, target), null));
        }
        return response.handle((r, error) -> error != null
                ? new Result(endpoint, Support.UNREACHABLE, false, Failures.describe(error, target), null)
                : judge(endpoint, r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body()));
    }

    /** The verdict on one answer; pure, so every shape can be tested without a server. */
    public static Result judge(Endpoint endpoint, int status, String contentType, byte[] body) {
        String type = contentType.toLowerCase(Locale.ROOT);
        if (status == 404) {
            return notSupported(endpoint, "HTTP 404");
        }
        if (!type.contains("json")) {
            String what = type.contains("html") ? "answers HTML (an older gateway's control UI)"
                    : "answers " + (type.isBlank() ? "without a content type" : type) + ", not JSON";
            return notSupported(endpoint, what + " with HTTP " + status);
        }
        JsonNode json = null;
        if (body != null && body.length > 0 && body.length <= MAX_BODY_BYTES) {
            try {
                json = Json.MAPPER.readTree(body);
            } catch (IOException e) {
                json = null;
            }
        }
        if (json == null || !json.isObject()) {
            return notSupported(endpoint, "answers HTTP " + status + " with a body that is not a JSON object");
        }
        return endpoint == Endpoint.LIVE ? live(status, json) : ready(status, json);
    }

    private static Result live(int status, JsonNode json) {
        JsonNode ok = json.get("ok");
        JsonNode state = json.get("status");
        if ((ok == null || !ok.isBoolean()) && (state == null || !state.isTextual())) {
            return notSupported(Endpoint.LIVE, "answers JSON without \"ok\" or \"status\"");
        }
        boolean passing = status >= 200 && status < 300 && (ok == null || !ok.isBoolean() || ok.booleanValue())
                && (state == null || !state.isTextual() || isLive(state.textValue()));
        String said = state != null && state.isTextual() ? state.textValue() : ok.booleanValue() ? "ok" : "not ok";
        return new Result(Endpoint.LIVE, Support.SUPPORTED, passing,
                passing ? said : "not live: " + said + " (HTTP " + status + ")", json);
    }

    private static boolean isLive(String state) {
        String s = state.toLowerCase(Locale.ROOT);
        return s.equals("live") || s.equals("ok") || s.equals("healthy");
    }

    private static Result ready(int status, JsonNode json) {
        JsonNode ready = json.get("ready");
        if (ready == null || !ready.isBoolean()) {
            return notSupported(Endpoint.READY, "answers JSON without a boolean \"ready\"");
        }
        boolean passing = ready.booleanValue() && status >= 200 && status < 300;
        String why = firstText(json, "reason", "message", "status");
        return new Result(Endpoint.READY, Support.SUPPORTED, passing,
                passing ? "ready" : "not ready" + (why != null ? ": " + why : "") + " (HTTP " + status + ")", json);
    }

    private static String firstText(JsonNode json, String... fields) {
        for (String f : fields) {
            JsonNode v = json.get(f);
            if (v != null && v.isTextual() && !v.textValue().isBlank()) {
                return v.textValue();
            }
        }
        return null;
    }

    private static Result notSupported(Endpoint endpoint, String why) {
        return new Result(endpoint, Support.NOT_SUPPORTED, false, endpoint.path() + " " + why, null);
    }
}

package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Quoted;
import java.util.Locale;
import java.util.Set;

/**
 * An error frame's {@code error} object: {@code {"code":…,"message":…,"details":{"code":…}}}. The
 * specific code (AUTH_TOKEN_MISMATCH, NOT_PAIRED, MISSING_SCOPE, …) is in {@code details.code} on
 * gateways that wrap it in a generic one, else in {@code code}.
 */
public record GatewayError(String code, String message, String detailCode) {

    private static final int MAX_MESSAGE_CHARS = 300;
    private static final Set<String> CREDENTIAL_CODES = Set.of("AUTH_TOKEN_MISMATCH", "AUTH_TOKEN_MISSING",
            "AUTH_REQUIRED", "AUTH_FAILED", "AUTH_PASSWORD_MISMATCH", "UNAUTHORIZED", "FORBIDDEN", "NOT_PAIRED",
            "PAIRING_REQUIRED", "DEVICE_IDENTITY_REQUIRED", "MISSING_SCOPE");

    public static GatewayError parse(JsonNode error) {
        if (error == null || !error.isObject()) {
            return new GatewayError("UNKNOWN", "the gateway reported an error without details", null);
        }
        String code = text(error.get("code"));
        String message = text(error.get("message"));
        JsonNode details = error.get("details");
        String detailCode = details != null && details.isObject() ? text(details.get("code")) : null;
        return new GatewayError(code == null ? "UNKNOWN" : code,
                message == null || message.isBlank() ? "(no message)" : message, detailCode);
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    /** The most specific code given. */
    public String specificCode() {
        return detailCode != null ? detailCode : code;
    }

    /**
     * What only the user can fix, or null for an error worth retrying. Credentials: token mismatch or
     * missing, pairing, device identity, scope. Protocol: a version the gateway does not speak.
     */
    public Drop.Problem problem() {
        for (String c : new String[] {detailCode, code}) {
            if (c == null) {
                continue;
            }
            String upper = c.toUpperCase(Locale.ROOT);
            if (CREDENTIAL_CODES.contains(upper) || upper.startsWith("AUTH_") || upper.startsWith("DEVICE_")
                    || upper.contains("PAIR") || upper.contains("SCOPE")) {
                return Drop.Problem.CREDENTIALS;
            }
            if (upper.contains("PROTOCOL")) {
                return Drop.Problem.PROTOCOL;
            }
        }
        return null;
    }

    /** The gateway's own words with its code: "gateway token mismatch (AUTH_TOKEN_MISMATCH)". */
    public String describe() {
        // The gateway's own words, but a broken or hostile peer must not flood the status line or the log.
        return Quoted.clean(message, MAX_MESSAGE_CHARS) + " (" + Quoted.clean(specificCode(), Quoted.MAX_CHARS) + ")";
    }
}

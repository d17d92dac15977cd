package dev.nexus.services.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.connect.Drop;
import dev.nexus.services.connect.GatewayTokens;
import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.support.Json;
import java.util.ArrayList;
import java.util.List;

/** How a unit shows a long-lived connection the peer refused: the words, and what to set. */
final class ConnectionRejection {
    private static final String CREDENTIAL_PREFIX = "credential:";
    private ConnectionRejection() {
    }

    /** The peer's own words, then what fixes it. */
    static String message(ServiceSpec spec, Drop.Problem problem, String peerSaid) {
        if (problem == Drop.Problem.CREDENTIALS) {
            String reference = tokenReference(spec);
            String fix = reference.startsWith(CREDENTIAL_PREFIX)
                    ? "set the token with \"nexus-services credential set "
                    + reference.substring(CREDENTIAL_PREFIX.length()).trim() + "\" (or in Settings › Credentials)"
                    : "fix the token at " + reference;
            return "the gateway refused the connection: " + peerSaid + "; " + fix
                    + " or pair this device; it reconnects by itself once the token changes, or on Retry";
        }
        return "the gateway refused the connection: " + peerSaid + "; update the gateway or Nexus Services, then Retry";
    }

    /**
     * The FAILED(credentials) detail a client turns into "Set credential…":
     * {@code {"credentials":[{"reference":"credential:gateway/token","credential":"gateway/token","problem":"rejected"}]}}.
     */
    static JsonNode credentialDetail(ServiceSpec spec) {
        String reference = tokenReference(spec);
        ObjectNode detail = Json.MAPPER.createObjectNode();
        ObjectNode item = detail.putArray("credentials").addObject();
        item.put("reference", reference);
        if (reference.startsWith(CREDENTIAL_PREFIX)) {
            item.put("credential", reference.substring(CREDENTIAL_PREFIX.length()).trim());
        }
        item.put("problem", "rejected");
        return detail;
    }

    /** The token reference of the service's gateway probes (the first that names one), else the default. */
    static String tokenReference(ServiceSpec spec) {
        List<ProbeSpec> all = new ArrayList<>();
        Probes p = spec.probes();
        for (ProbeSpec s : new ProbeSpec[] {p.startup(), p.liveness(), p.readiness()}) {
            if (s != null) {
                all.add(s);
            }
        }
        spec.children().forEach(c -> all.add(c.probe()));
        for (ProbeSpec s : all) {
            if (s.check() instanceof ProbeCheck.Gateway g && g.token() != null) {
                return g.token();
            }
        }
        return GatewayTokens.DEFAULT_REFERENCE;
    }

    /** The failure detail with the connection's detail beside it (either may be null). */
    static JsonNode merge(JsonNode failureDetail, JsonNode connectionDetail) {
        if (failureDetail == null) {
            return connectionDetail;
        }
        if (!(connectionDetail instanceof ObjectNode o)) {
            return failureDetail;
        }
        ObjectNode merged = o.deepCopy();
        failureDetail.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
        return merged;
    }
}

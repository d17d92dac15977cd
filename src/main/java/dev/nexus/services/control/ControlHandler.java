package dev.nexus.services.control;

import com.fasterxml.jackson.databind.JsonNode;

/** What the control server calls for each well-formed request. */
@FunctionalInterface
public interface ControlHandler {
    /**
     * @param op   the request's operation ("snapshot", "start", ...)
     * @param args the request's "args" object (an empty object when absent)
     * @return the "result" of the reply
     * @throws ControlException for a refusal the client should see with its code
     */
    JsonNode handle(String op, JsonNode args, ControlSession session) throws ControlException;
}

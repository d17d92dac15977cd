package dev.nexus.services.control;

import com.fasterxml.jackson.databind.JsonNode;

/** One connected client, as the handler sees it. */
public interface ControlSession {
    /**
     * Queues an event frame {@code {"v":1,"event":name,"data":data}} for this client. Never blocks;
     * a client that does not keep up is disconnected rather than allowed to hold the engine back.
     */
    void sendEvent(String name, JsonNode data);

    boolean isOpen();

    /** Runs once when the client goes away (closed, dropped or server shut down). */
    void onClose(Runnable action);
}

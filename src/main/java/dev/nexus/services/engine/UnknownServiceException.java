package dev.nexus.services.engine;

import java.util.List;

/** A command named services the catalog does not have. */
public class UnknownServiceException extends CommandRefusedException {
    private static final long serialVersionUID = 1L;

    public UnknownServiceException(List<String> unknown, List<String> known) {
        super("unknown_service", (unknown.size() == 1 ? "unknown service \"" + unknown.get(0) + "\""
                : "unknown services " + unknown) + " (known: " + String.join(", ", known) + ")");
    }
}

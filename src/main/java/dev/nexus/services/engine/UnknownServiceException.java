package dev.nexus.services.engine;

import dev.nexus.services.support.Quoted;
import java.util.List;

/** A command named services the catalog does not have. */
public class UnknownServiceException extends CommandRefusedException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_NAMES_SHOWN = 10;

    public UnknownServiceException(List<String> unknown, List<String> known) {
        super("unknown_service", (unknown.size() == 1 ? "unknown service " + Quoted.of(unknown.get(0))
                : "unknown services " + quoted(unknown)) + " (known: " + String.join(", ", known) + ")");
    }

    /** The names as the client sent them may be anything: quoted, clipped, and only the first few. */
    private static String quoted(List<String> names) {
        List<String> shown = names.stream().limit(MAX_NAMES_SHOWN).map(Quoted::of).toList();
        return "[" + String.join(", ", shown) + (names.size() > MAX_NAMES_SHOWN
                ? " and " + (names.size() - MAX_NAMES_SHOWN) + " more" : "") + "]";
    }
}

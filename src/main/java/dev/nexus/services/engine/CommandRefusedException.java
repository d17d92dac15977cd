package dev.nexus.services.engine;

/**
 * A command the engine will not carry out as asked (an unknown or disabled service). {@code code}
 * is the stable control API error code; the message says what to do instead.
 */
public class CommandRefusedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public CommandRefusedException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}

package dev.nexus.services.control;

/** A request the engine refuses; {@code code} is stable and machine-readable, the message is for people. */
public class ControlException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    public ControlException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}

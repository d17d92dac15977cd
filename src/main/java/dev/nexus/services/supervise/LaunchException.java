package dev.nexus.services.supervise;

import dev.nexus.services.health.FailureReason;

/** A child could not be started; the reason says whether a retry can help (null: it might). */
public class LaunchException extends Exception {
    private static final long serialVersionUID = 1L;
    private final FailureReason reason;

    public LaunchException(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public LaunchException(FailureReason reason, String message) {
        this(reason, message, null);
    }

    /** Null when the failure may be transient. */
    public FailureReason reason() {
        return reason;
    }
}

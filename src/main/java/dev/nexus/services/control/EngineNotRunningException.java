package dev.nexus.services.control;

import java.io.IOException;
import java.nio.file.Path;

/**
 * No engine listens on the control socket: the socket file is missing, or it is left over from an
 * engine that died (connection refused). Callers fall back to working without the engine.
 */
public class EngineNotRunningException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path socketPath;

    public EngineNotRunningException(Path socketPath, String message) {
        super(message);
        this.socketPath = socketPath;
    }

    public EngineNotRunningException(Path socketPath, String message, Throwable cause) {
        super(message, cause);
        this.socketPath = socketPath;
    }

    public Path socketPath() {
        return socketPath;
    }
}

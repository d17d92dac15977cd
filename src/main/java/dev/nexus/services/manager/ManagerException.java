package dev.nexus.services.manager;

/** An OS service manager refused or failed; the message names the command and what the tool said. */
public class ManagerException extends Exception {
    public ManagerException(String message) {
        super(message);
    }

    public ManagerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "`systemctl --user start nexus-cloud.service` failed (exit 5): Unit not found." */
    public static ManagerException failed(CommandResult result) {
        String said = result.message();
        return new ManagerException("`" + String.join(" ", result.argv()) + "` failed (exit " + result.exitCode() + ")"
                + (said.isEmpty() ? "" : ": " + said));
    }
}

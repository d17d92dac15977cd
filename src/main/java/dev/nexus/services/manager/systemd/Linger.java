package dev.nexus.services.manager.systemd;

import dev.nexus.services.manager.CommandResult;
import dev.nexus.services.manager.CommandRunner;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.PlanApplier;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Whether logind keeps the user's systemd instance running without a login ("lingering"). Without it
 * systemd --user services stop when the user's last session ends and start at boot only once the user
 * logs in; {@code doctor} reports it with {@link Status#advice()}.
 */
public final class Linger {
    private final CommandRunner runner;

    public Linger(CommandRunner runner) {
        this.runner = runner;
    }

    /**
     * @param enabled whether lingering is on
     * @param advice  what to tell the user when it is off; empty when it is on
     */
    public record Status(String user, boolean enabled, Optional<String> advice) {
    }

    /** {@code loginctl show-user <user> -p Linger}. */
    public Status check(String user) throws ManagerException {
        List<String> argv = argv(user);
        CommandResult result;
        try {
            result = runner.run(argv, PlanApplier.TOOL_TIMEOUT);
        } catch (IOException e) {
            throw new ManagerException("`" + String.join(" ", argv) + "` could not run: " + e.getMessage(), e);
        }
        return parse(user, result);
    }

    public static List<String> argv(String user) {
        return List.of("loginctl", "show-user", user, "-p", "Linger");
    }

    /**
     * Reads loginctl's answer. A user logind does not track at all ("... is not logged in or lingering", or
     * "No user with UID ... logged in" from older versions) is not lingering either.
     */
    public static Status parse(String user, CommandResult result) throws ManagerException {
        if (result.ok()) {
            for (String line : result.stdout().lines().toList()) {
                String trimmed = line.strip();
                if (trimmed.startsWith("Linger=")) {
                    String value = trimmed.substring("Linger=".length());
                    if (value.equals("yes")) {
                        return new Status(user, true, Optional.empty());
                    }
                    if (value.equals("no")) {
                        return off(user);
                    }
                    throw new ManagerException("`" + String.join(" ", result.argv()) + "` answered Linger=\"" + value
                            + "\", expected yes or no");
                }
            }
            throw new ManagerException("`" + String.join(" ", result.argv()) + "` did not say Linger=: \""
                    + result.stdout().strip() + "\"");
        }
        if (result.message().contains("logged in")) {
            return off(user);
        }
        throw ManagerException.failed(result);
    }

    private static Status off(String user) {
        return new Status(user, false, Optional.of(advice(user)));
    }

    /** The advice when lingering is off. */
    public static String advice(String user) {
        return "Lingering is off for " + user + ": without it, systemd --user services stop when you log out and do"
                + " not start at boot until you log in. Turn it on with: loginctl enable-linger " + user;
    }
}

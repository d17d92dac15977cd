package dev.nexus.services.manager.windows;

import dev.nexus.services.manager.CommandResult;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.PlanApplier;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment a task starts with. A task definition has no environment element: Task Scheduler starts
 * the program with the user's logon environment, built from the registry (the user's variables in
 * {@code HKCU\Environment} over the machine's), not from the shell that ran {@code install}. For PATH that
 * is right on Windows, unlike launchd: installers (winget, npm, scoop) register their directories there.
 * For {@code NEXUS_ROOT} it matters which Nexus the task runs, so an install checks that the root a task
 * would see is the one being installed, and refuses with the fix ({@code setx}) otherwise. It never writes
 * the user's environment itself.
 */
final class UserEnvironment {
    static final String USER_KEY = "HKCU\\Environment";
    static final String MACHINE_KEY = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment";
    private static final Pattern VALUE = Pattern.compile("^\\s*(\\S+)\\s+(REG_SZ|REG_EXPAND_SZ)\\s+(.*?)\\s*$");
    private static final Pattern VARIABLE = Pattern.compile("%([^%]+)%");

    private UserEnvironment() {
    }

    /** Refuses when a task started at logon would read another Nexus root than {@code ctx.paths()}. */
    static void requireSameRoot(ManagerContext ctx) throws ManagerException {
        Optional<String> user = value(ctx, USER_KEY, NexusPaths.ROOT_VARIABLE);
        Optional<String> registered = user.isPresent() ? user : value(ctx, MACHINE_KEY, NexusPaths.ROOT_VARIABLE);
        Path installed = ctx.paths().root();
        Path defaultRoot = ctx.userHome().resolve("nexus").toAbsolutePath().normalize();
        Optional<Path> seen = registered.isPresent() ? resolve(expand(registered.get(), ctx)) : Optional.of(defaultRoot);
        if (seen.isPresent() && seen.get().equals(installed)) {
            return;
        }
        String tasksSee = registered.isPresent()
                ? "NEXUS_ROOT=" + registered.get() + " (from " + (user.isPresent() ? USER_KEY : MACHINE_KEY) + ")"
                : "no NEXUS_ROOT, so " + defaultRoot;
        throw new ManagerException("a Windows task starts with your logon environment, which has " + tasksSee
                + ", but this install is for " + installed + ": the task would run another Nexus. Set it for your"
                + " account with `setx NEXUS_ROOT \"" + installed + "\"`, then install again");
    }

    /** One variable from {@code reg query}; empty when it is not set there. */
    static Optional<String> value(ManagerContext ctx, String key, String name) throws ManagerException {
        CommandResult result;
        try {
            result = ctx.runner().run(List.of("reg", "query", key, "/v", name), PlanApplier.TOOL_TIMEOUT);
        } catch (IOException e) {
            throw new ManagerException("cannot read " + key + " to check " + name + ": " + e.getMessage(), e);
        }
        if (!result.ok()) {
            return Optional.empty(); // "ERROR: The system was unable to find the specified registry key or value."
        }
        for (String line : result.stdout().split("\\R")) {
            Matcher m = VALUE.matcher(line);
            if (m.matches() && m.group(1).equalsIgnoreCase(name)) {
                return Optional.of(m.group(3));
            }
        }
        return Optional.empty();
    }

    /** Expands %USERPROFILE% (REG_EXPAND_SZ values hold it unexpanded); anything else stays as written. */
    private static String expand(String value, ManagerContext ctx) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1).equalsIgnoreCase("USERPROFILE") ? ctx.userHome().toString() : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    private static Optional<Path> resolve(String value) {
        if (value.contains("%")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(value).toAbsolutePath().normalize());
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}

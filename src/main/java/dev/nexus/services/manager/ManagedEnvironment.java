package dev.nexus.services.manager;

import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The environment an OS manager starts a Nexus process with. launchd's default PATH is {@code
 * /usr/bin:/bin:/usr/sbin:/sbin} and systemd's user manager has its own, so {@code nexus} installed by
 * Homebrew, npm or in {@code ~/.local/bin} would not be found: the caller's PATH plus the usual places is
 * written out explicitly. Nothing else is copied from the caller's environment, which may hold secrets;
 * credentials reach services through the {@code exec} shim at start.
 */
public final class ManagedEnvironment {
    /** Variables that carry settings, never secrets, and are passed on when set. */
    private static final List<String> PASSED_ON = List.of("LANG", "LC_ALL", "NEXUS_AGENT_ID", "NEXUS_LOAD_SHELL_ENV");

    private ManagedEnvironment() {
    }

    public static Map<String, String> of(NexusPaths paths, Map<String, String> callerEnv, Path userHome, HostOs os) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", path(callerEnv.getOrDefault("PATH", ""), userHome, os));
        env.put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        for (String name : PASSED_ON) {
            String value = callerEnv.get(name);
            if (value != null && !value.isBlank()) {
                env.put(name, value);
            }
        }
        return env;
    }

    static String path(String callerPath, Path userHome, HostOs os) {
        String separator = os == HostOs.WINDOWS ? ";" : ":";
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : callerPath.split(separator)) {
            // Relative entries (".", "bin") mean nothing to a service started from elsewhere.
            if (!entry.isBlank() && (os == HostOs.WINDOWS || entry.startsWith("/"))) {
                entries.add(entry);
            }
        }
        if (os != HostOs.WINDOWS) {
            entries.add(userHome.resolve(".local/bin").toString());
            if (os == HostOs.MACOS) {
                entries.add("/opt/homebrew/bin");
            }
            entries.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        }
        return String.join(separator, entries);
    }
}

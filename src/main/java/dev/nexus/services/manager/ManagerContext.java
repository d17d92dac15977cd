package dev.nexus.services.manager;

import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every OS manager needs to write and register definitions.
 *
 * @param paths       the Nexus root in use (passed to managed processes as {@code NEXUS_ROOT}, always explicit)
 * @param userHome    the user's home: {@code ~/.config/systemd/user}, {@code ~/Library/LaunchAgents} hang off it
 * @param self        the launcher the definitions name
 * @param environment the environment a managed process starts with: PATH (launchd's default is bare),
 *                    NEXUS_ROOT, LANG and the like; never a secret (see {@link ManagedEnvironment})
 * @param runner      runs systemctl / launchctl / schtasks
 * @param uid         the numeric user id ({@code gui/<uid>} for launchd), -1 where there is none (Windows)
 */
public record ManagerContext(NexusPaths paths, Path userHome, SelfCommand self, Map<String, String> environment,
                             CommandRunner runner, long uid) {
    public ManagerContext {
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }
}

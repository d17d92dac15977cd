package dev.nexus.services.manager;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A service as its OS manager reports it (best effort: launchd's {@code print} output is not an API).
 *
 * @param installed  a unit / plist / task exists and is known to the manager
 * @param running    the manager says the service's main process is up
 * @param pid        its main process, when known and running
 * @param restarts   how many times the manager restarted it since it was loaded (systemd NRestarts), if known
 * @param lastExit   the last exit status of the main process, if known
 * @param detail     the manager's own words ("active (running)", "failed (exit-code)", "state = waiting")
 */
public record ManagedState(boolean installed, boolean running, OptionalLong pid, OptionalInt restarts,
                           OptionalInt lastExit, String detail) {
    public static ManagedState notInstalled() {
        return new ManagedState(false, false, OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty(),
                "not installed");
    }
}

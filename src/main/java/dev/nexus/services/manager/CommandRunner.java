package dev.nexus.services.manager;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Runs an OS tool (systemctl, launchctl, schtasks) and captures what it said. */
public interface CommandRunner {
    CommandResult run(List<String> argv, Duration timeout) throws IOException;
}

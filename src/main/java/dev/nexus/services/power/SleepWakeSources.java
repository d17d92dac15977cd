package dev.nexus.services.power;

import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.power.linux.LogindSleepSource;
import dev.nexus.services.power.macos.IoKitSleepSource;
import dev.nexus.services.power.windows.PowerNotificationSleepSource;
import java.util.ArrayList;
import java.util.List;

/** Which sources apply here: the operating system's own (it knows ahead), then the clock fallback. */
public final class SleepWakeSources {
    private SleepWakeSources() {
    }

    /** Constructing them loads nothing native; each one loads its library in start(), on its OS only. */
    public static List<SleepWakeSource> forThisSystem() {
        return forSystem(HostOs.CURRENT);
    }

    static List<SleepWakeSource> forSystem(HostOs os) {
        List<SleepWakeSource> sources = new ArrayList<>();
        switch (os) {
            case LINUX -> sources.add(new LogindSleepSource());
            case MACOS -> sources.add(new IoKitSleepSource());
            case WINDOWS -> sources.add(new PowerNotificationSleepSource());
            case OTHER -> {
            }
        }
        sources.add(ClockJumpSleepSource.forThisSystem());
        return sources;
    }
}

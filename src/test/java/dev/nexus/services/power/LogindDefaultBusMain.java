package dev.nexus.services.power;

import dev.nexus.services.power.linux.LogindSleepSource;
import java.time.Duration;

/**
 * Run as a child JVM whose environment names the test bus in DBUS_SYSTEM_BUS_ADDRESS: the source with
 * no address given must find it there (sd_bus_open_system). Prints "started OWNER LOCKED", then
 * "event KIND SOURCE" per event; exits when stdin closes.
 */
public final class LogindDefaultBusMain {
    private LogindDefaultBusMain() {
    }

    public static void main(String[] args) throws Exception {
        RecordingListener listener = new RecordingListener();
        try (LogindSleepSource source = new LogindSleepSource()) {
            source.start(listener);
            System.out.println("started " + source.logindOwner() + " " + source.holdsDelayLock());
            Thread events = new Thread(() -> {
                try {
                    while (true) {
                        SleepWakeEvent e = listener.next(Duration.ofDays(1));
                        System.out.println("event " + e.kind() + " " + e.source());
                    }
                } catch (InterruptedException | AssertionError e) {
                    // done
                }
            });
            events.setDaemon(true);
            events.start();
            System.in.readAllBytes();
        }
    }
}

package dev.nexus.services.manager.windows;

import java.time.Duration;

/**
 * How long to wait for Task Scheduler: {@code schtasks /End} returns before the instance is gone, and a
 * {@code /Run} while it still counts as running is ignored (MultipleInstancesPolicy IgnoreNew).
 *
 * @param poll how often to ask {@code schtasks /Query} while waiting
 * @param end  how long an ended task may take to stop counting as running
 */
public record WindowsTiming(Duration poll, Duration end) {
    public static final WindowsTiming DEFAULT = new WindowsTiming(Duration.ofMillis(200), Duration.ofSeconds(15));
}

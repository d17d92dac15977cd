package dev.nexus.services.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesEveryUnitAndCompounds() {
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofDays(2), Durations.parse(" 2d "));
    }

    @Test
    void rejectsWithAMessageThatShowsTheText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("10 sec"));
        assertEquals("expected a duration such as \"250ms\", \"10s\", \"5m\" or \"1h30m\", got \"10 sec\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-5s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5s junk"));
    }

    @Test
    void formatReadsBackExactly() {
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1500),
            Duration.ofMinutes(61), Duration.ofDays(3).plusMillis(7)}) {
            assertEquals(d, Durations.parse(Durations.format(d)), Durations.format(d));
        }
        assertEquals("1m1s", Durations.format(Duration.ofSeconds(61)));
    }

    @Test
    void humanizeIsShortAndReadable() {
        assertEquals("850 ms", Durations.humanize(Duration.ofMillis(850)));
        assertEquals("12 s", Durations.humanize(Duration.ofSeconds(12)));
        assertEquals("3 min", Durations.humanize(Duration.ofSeconds(200)));
        assertEquals("3 h", Durations.humanize(Duration.ofHours(3)));
        assertEquals("3 h 5 min", Durations.humanize(Duration.ofMinutes(185)));
        assertEquals("2 d 4 h", Durations.humanize(Duration.ofHours(52)));
    }
}

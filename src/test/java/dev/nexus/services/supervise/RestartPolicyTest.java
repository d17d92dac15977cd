package dev.nexus.services.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.supervise.RestartPolicy.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final RestartSpec NO_JITTER = new RestartSpec(RestartSpec.Mode.ON_FAILURE, Duration.ofSeconds(1), 2,
            Duration.ofSeconds(60), 0, Duration.ofSeconds(60), 5, Duration.ofSeconds(10), Duration.ofMinutes(5),
            Duration.ofSeconds(300));

    private static ExitStatus exit(int code, Instant at) {
        return new ExitStatus(code, at);
    }

    @Test
    void backoffDoublesFromOneSecondUpToTheCap() {
        RestartPolicy policy = new RestartPolicy(NO_JITTER, new SplittableRandom(1));
        List<Long> delays = new ArrayList<>();
        Instant now = T0;
        for (int i = 0; i < 9; i++) {
            // long runs: never a crash loop, so only the plain backoff shows
            Decision d = policy.onExit(exit(1, now), Duration.ofSeconds(30), false, now);
            delays.add(((Decision.Restart) d).delay().toSeconds());
            now = now.plusSeconds(40);
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L), delays);
    }

    @Test
    void jitterSpreadsServicesRestartedTogetherWithinTwentyPercent() {
        RestartSpec spec = RestartSpec.DEFAULT;
        List<Long> firstDelays = new ArrayList<>();
        for (int service = 0; service < 50; service++) {
            RestartPolicy policy = new RestartPolicy(spec, new SplittableRandom(service));
            Decision d = policy.onExit(exit(1, T0), Duration.ofSeconds(30), false, T0);
            firstDelays.add(((Decision.Restart) d).delay().toMillis());
        }
        long min = firstDelays.stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = firstDelays.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(min >= 800 && max <= 1200, "all within ±20 % of 1 s: " + firstDelays);
        assertTrue(max - min >= 200, "spread out rather than all equal: " + firstDelays);
        assertTrue(firstDelays.stream().distinct().count() > 25, "mostly distinct: " + firstDelays);
    }

    @Test
    void userStopIsNeverRestarted() {
        RestartPolicy policy = new RestartPolicy(NO_JITTER, new SplittableRandom(1));
        Decision d = policy.onExit(exit(143, T0), Duration.ofSeconds(1), true, T0);
        assertInstanceOf(Decision.Stay.class, d);
    }

    @Test
    void exitSeventyEightFailsAsConfigurationWithoutRestart() {
        RestartPolicy policy = new RestartPolicy(NO_JITTER, new SplittableRandom(1));
        Decision d = policy.onExit(exit(78, T0), Duration.ofSeconds(1), false, T0);
        Decision.Fail fail = assertInstanceOf(Decision.Fail.class, d);
        assertEquals(FailureReason.CONFIG, fail.reason());
        assertTrue(fail.message().contains("78"));
        assertEquals(0, policy.consecutiveRestarts());
    }

    @Test
    void cleanExitIsNotRestartedOnFailureButIsWithAlways() {
        RestartPolicy onFailure = new RestartPolicy(NO_JITTER, new SplittableRandom(1));
        assertInstanceOf(Decision.Stay.class, onFailure.onExit(exit(0, T0), Duration.ofSeconds(1), false, T0));

        RestartSpec always = new RestartSpec(RestartSpec.Mode.ALWAYS, NO_JITTER.initialDelay(), 2, NO_JITTER.maxDelay(),
                0, NO_JITTER.resetAfter(), 5, NO_JITTER.shortRun(), NO_JITTER.crashLoopWindow(),
                NO_JITTER.crashLoopMaxDelay());
        assertInstanceOf(Decision.Restart.class,
                new RestartPolicy(always, new SplittableRandom(1)).onExit(exit(0, T0), Duration.ofSeconds(1), false, T0));
    }

    @Test
    void neverPolicyDoesNotRestartAFailure() {
        RestartSpec never = new RestartSpec(RestartSpec.Mode.NEVER, NO_JITTER.initialDelay(), 2, NO_JITTER.maxDelay(),
                0, NO_JITTER.resetAfter(), 5, NO_JITTER.shortRun(), NO_JITTER.crashLoopWindow(),
                NO_JITTER.crashLoopMaxDelay());
        Decision d = new RestartPolicy(never, new SplittableRandom(1)).onExit(exit(3, T0), Duration.ofSeconds(1), false, T0);
        assertTrue(((Decision.Stay) d).message().contains("exit 3"));
    }

    @Test
    void fiveShortRunsInFiveMinutesIsACrashLoopWithTheCapRaisedTo300Seconds() {
        RestartPolicy policy = new RestartPolicy(NO_JITTER, new SplittableRandom(1));
        Instant now = T0;
        Decision d = null;
        for (int run = 1; run <= 5; run++) {
            d = policy.onExit(exit(1, now), Duration.ofSeconds(2), false, now);
            assertEquals(run == 5, ((Decision.Restart) d).crashLoop(), "run " + run);
            now = now.plus(((Decision.Restart) d).delay()).plusSeconds(2);
        }
        // keeps retrying in the loop, past the normal 60 s cap, up to 300 s
        long last = 0;
        for (int run = 6; run <= 12; run++) {
            d = policy.onExit(exit(1, now), Duration.ofSeconds(2), false, now);
            Decision.Restart r = (Decision.Restart) d;
            assertTrue(r.crashLoop());
            last = r.delay().toSeconds();
            now = now.plus(r.delay()).plusSeconds(2);
        }
        assertEquals(300, last);
    }

    @Test
    void shortRunsSpreadBeyondTheWindowAreNotACrashLoop() {
        RestartPolicy policy = new RestartPolicy(NO_JITTER, new SplittableRandom(1));
        Instant now = T0;
        for (int run = 1; run <= 10; run++) {
            Decision.Restart r = (Decision.Restart) policy.onExit(exit(1, now), Duration.ofSeconds(2), false, now);
            assertFalse(r.crashLoop(), "run " + run);
            now = now.plusSeconds(80); // 4 short runs fit in any 5-minute window
        }
    }

    @Test
    void longRunsDoNotCountTowardsACrashLoop() {
        RestartPolicy policy = new RestartPolicy(NO_JITTER, new SplittableRandom(1));
        Instant now = T0;
        for (int run = 1; run <= 8; run++) {
            Decision.Restart r = (Decision.Restart) policy.onExit(exit(1, now), Duration.ofSeconds(11), false, now);
            assertFalse(r.crashLoop());
            now = now.plusSeconds(12);
        }
    }

    @Test
    void sixtySecondsHealthyResetsBackoffAndCrashLoopMemory() {
        RestartPolicy policy = new RestartPolicy(NO_JITTER, new SplittableRandom(1));
        Instant now = T0;
        for (int run = 1; run <= 5; run++) {
            policy.onExit(exit(1, now), Duration.ofSeconds(1), false, now);
            now = now.plusSeconds(3);
        }
        Instant healthySince = now;
        assertFalse(policy.resetIfStable(healthySince, now.plusSeconds(59)));
        assertTrue(policy.resetIfStable(healthySince, now.plusSeconds(60)));
        now = now.plusSeconds(60);
        Decision.Restart r = (Decision.Restart) policy.onExit(exit(1, now), Duration.ofSeconds(1), false, now);
        assertEquals(1, r.delay().toSeconds());
        assertFalse(r.crashLoop());
        assertEquals(1, r.attempt());
    }
}

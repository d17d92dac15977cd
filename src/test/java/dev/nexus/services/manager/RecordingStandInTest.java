package dev.nexus.services.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in itself records and replays faithfully (else every test built on it would lie). */
class RecordingStandInTest {
    @TempDir
    Path bin;

    @Test
    void recordsArgumentsWithSpacesAndReplaysTheLastMatchingReply() throws Exception {
        RecordingStandIn tool = RecordingStandIn.create(bin, "fakectl")
                .reply(List.of("show"), 0, "ActiveState=inactive\n", "")
                .reply(List.of("show", "a b"), 3, "", "no such unit\n");
        CommandRunner runner = RecordingStandIn.runnerUsing(bin);

        CommandResult first = runner.run(List.of("fakectl", "show", "other"), Duration.ofSeconds(10));
        CommandResult second = runner.run(List.of("fakectl", "show", "a b", "--x"), Duration.ofSeconds(10));
        CommandResult third = runner.run(List.of("fakectl", "start", ""), Duration.ofSeconds(10));

        assertEquals(new CommandResult(List.of("fakectl", "show", "other"), 0, "ActiveState=inactive\n", ""), first);
        assertEquals(3, second.exitCode());
        assertEquals("no such unit", second.message());
        assertEquals(0, third.exitCode());
        assertEquals(List.of(List.of("show", "other"), List.of("show", "a b", "--x"), List.of("start", "")), tool.calls());
    }

    @Test
    void aReplyGivenANumberOfTimesGivesWayToTheEarlierOneAfterwards() throws Exception {
        RecordingStandIn.create(bin, "flaky").reply(List.of("go"), 0, "ok\n", "")
                .replyTimes(List.of("go"), 2, 5, "", "busy\n");
        CommandRunner runner = RecordingStandIn.runnerUsing(bin);
        List<Integer> exits = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            exits.add(runner.run(List.of("flaky", "go"), Duration.ofSeconds(10)).exitCode());
        }
        assertEquals(List.of(5, 5, 0, 0), exits);
    }
}

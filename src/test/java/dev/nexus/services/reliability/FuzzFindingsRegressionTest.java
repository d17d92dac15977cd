package dev.nexus.services.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.ParseOutcome;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.support.Quoted;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One quick regression test per fault the reliability fuzzers found, so that each stays fixed without
 * running the fuzzers (the failing case seeds are in docs/RELIABILITY.md).
 */
class FuzzFindingsRegressionTest {
    @TempDir
    Path temp;

    private ParseOutcome parse(String text) {
        return new CatalogCodec(new NexusPaths(temp)).parse(text, "services.json");
    }

    private static String service(String fields) {
        return "{\"version\": 1, \"services\": [{\"name\": \"svc\", \"command\": [\"true\"], " + fields + "}]}";
    }

    private static void assertOneCleanLine(List<CatalogProblem> problems) {
        assertFalse(problems.isEmpty());
        for (CatalogProblem p : problems) {
            String shown = p.toString();
            assertTrue(shown.length() < 500, "one readable line, not the whole value: " + shown.length() + " chars");
            assertTrue(shown.chars().noneMatch(Character::isISOControl), "no raw control characters: " + shown);
        }
    }

    /** Fuzz catalog: a 10 000-character duration was echoed whole in the error (and in the engine log). */
    @Test
    void aHugeValueIsClippedInTheProblem() {
        for (String field : List.of("\"stopTimeout\": \"10s" + "[".repeat(10_000) + "\"",
                "\"kind\": \"" + "d".repeat(10_000) + "\"",
                "\"manager\": \"" + "m".repeat(10_000) + "\"",
                "\"restart\": {\"policy\": \"" + "p".repeat(10_000) + "\"}",
                "\"log\": {\"maxSize\": \"" + "9".repeat(10_000) + "\"}",
                "\"dependsOn\": [\"" + "x".repeat(10_000) + "\"]",
                "\"env\": {\"" + "1".repeat(10_000) + "\": \"v\"}",
                "\"probes\": {\"liveness\": {\"type\": \"" + "t".repeat(10_000) + "\"}}")) {
            ParseOutcome outcome = parse(service(field));
            assertFalse(outcome.ok(), field.substring(0, 20));
            assertOneCleanLine(outcome.errors());
            assertTrue(outcome.errors().get(0).message().contains("..."), outcome.errors().get(0).message());
        }
    }

    /** Fuzz catalog: an unknown field's name went raw into the warning, terminal escapes included. */
    @Test
    void anUnknownFieldNameIsEscapedAndClippedInTheWarning() {
        ParseOutcome outcome = parse(service("\"\\u001b[2J\\u009b31m" + "k".repeat(5_000) + "\": 1"));
        assertTrue(outcome.ok(), outcome.problems().toString());
        assertOneCleanLine(outcome.warnings());
        assertTrue(outcome.warnings().get(0).message().contains("\\u001b[2J"), outcome.warnings().get(0).message());
    }

    /** Fuzz catalog: JSON quoting left DEL and C1 control characters of a value raw in the message. */
    @Test
    void controlCharactersJsonLeavesAloneAreEscaped() {
        ParseOutcome outcome = parse(service("\"kind\": \"daemon\\u007f\\u009b\""));
        assertOneCleanLine(outcome.errors());
        assertEquals("\"a\\u007fb\\u009bc\"", Quoted.of("a\u007fb\u009bc"));
        assertEquals("\"" + "x".repeat(Quoted.MAX_CHARS - 3) + "...\"", Quoted.of("x".repeat(1000)));
        assertEquals("\"gateway\"", Quoted.of("gateway"), "ordinary values read as before");
    }
}

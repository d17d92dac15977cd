package dev.nexus.services.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nexus.services.support.NexusPaths;

import java.nio.file.Path;
import java.util.List;

/** Locating problems in test texts: each expectation names the text it points at, not a bare line number. */
final class CatalogAssertions {
    static final String SOURCE = "services.json";

    private CatalogAssertions() {
    }

    static CatalogCodec codec(Path root) {
        return new CatalogCodec(new NexusPaths(root));
    }

    /** 1-based number of the one line of {@code text} containing {@code snippet}. */
    static int lineOf(String text, String snippet) {
        String[] lines = text.split("\n", -1);
        int found = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(snippet)) {
                if (found != 0) {
                    fail("snippet " + snippet + " is on lines " + found + " and " + (i + 1) + "; make it unique");
                }
                found = i + 1;
            }
        }
        if (found == 0) {
            fail("snippet " + snippet + " is not in the text");
        }
        return found;
    }

    /** 1-based column of the first non-blank character of {@code snippet} on its line. */
    static int columnOf(String text, String snippet) {
        String line = text.split("\n", -1)[lineOf(text, snippet) - 1];
        return line.indexOf(snippet) + 1 + (snippet.length() - snippet.stripLeading().length());
    }

    /**
     * Asserts that the outcome has exactly one error at {@code pointer}, that its message contains
     * {@code messagePart}, and that it is located where {@code snippet} starts in {@code text}.
     */
    static CatalogProblem assertError(ParseOutcome outcome, String text, String pointer, String snippet,
                                      String messagePart) {
        return assertProblem(outcome.errors(), outcome, text, pointer, snippet, messagePart);
    }

    /** Like {@link #assertError} for texts where the place is not a unique snippet. */
    static CatalogProblem assertErrorAt(ParseOutcome outcome, String pointer, int line, int column,
                                        String messagePart) {
        List<CatalogProblem> at = outcome.errors().stream().filter(p -> p.pointer().equals(pointer)).toList();
        assertEquals(1, at.size(), () -> "expected one error at " + pointer + ", all problems: " + outcome.problems());
        CatalogProblem problem = at.get(0);
        assertTrue(problem.message().contains(messagePart),
                () -> "message \"" + problem.message() + "\" should contain \"" + messagePart + "\"");
        assertEquals(line, problem.line(), () -> "line of " + problem);
        assertEquals(column, problem.column(), () -> "column of " + problem);
        return problem;
    }

    static CatalogProblem assertWarning(ParseOutcome outcome, String text, String pointer, String snippet,
                                        String messagePart) {
        return assertProblem(outcome.warnings(), outcome, text, pointer, snippet, messagePart);
    }

    private static CatalogProblem assertProblem(List<CatalogProblem> problems, ParseOutcome outcome, String text,
                                                String pointer, String snippet, String messagePart) {
        List<CatalogProblem> at = problems.stream().filter(p -> p.pointer().equals(pointer)).toList();
        assertEquals(1, at.size(), () -> "expected one problem at " + pointer + ", all problems: " + outcome.problems());
        CatalogProblem problem = at.get(0);
        assertTrue(problem.message().contains(messagePart),
                () -> "message \"" + problem.message() + "\" should contain \"" + messagePart + "\"");
        assertEquals(SOURCE, problem.source());
        assertEquals(lineOf(text, snippet), problem.line(), () -> "line of " + problem);
        assertEquals(columnOf(text, snippet), problem.column(), () -> "column of " + problem);
        return problem;
    }

    /** Asserts the text parses without errors and returns the catalog. */
    static Catalog assertValid(ParseOutcome outcome) {
        assertTrue(outcome.ok(), () -> "expected no errors, got " + outcome.errors());
        return outcome.catalog();
    }
}

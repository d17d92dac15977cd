package dev.nexus.services.catalog;

import dev.nexus.services.support.Quoted;
import java.util.List;

import java.util.Comparator;
import java.util.Objects;

/**
 * One thing wrong (or suspicious) in a catalog file, located both ways people look for it: by line and
 * column in an editor, by JSON pointer in tooling. Reads like a compiler message:
 * {@code services.json:12:5: /services/1/port: must be between 1 and 65535, got 70000}.
 *
 * @param line    1-based; 0 when the problem has no place in the text (the file cannot be read at all)
 * @param column  1-based; 0 when unknown
 * @param pointer RFC 6901 JSON pointer of the value concerned; "" for the whole document
 */
public record CatalogProblem(Severity severity, String source, int line, int column, String pointer,
                             String message) {

    public enum Severity { ERROR, WARNING }

    private static final int MAX_POINTER_CHARS = 200;

    /** File order, which is the order people fix things in. */
    public static final Comparator<CatalogProblem> BY_POSITION = Comparator
            .comparingInt(CatalogProblem::line)
            .thenComparingInt(CatalogProblem::column);

    public CatalogProblem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
    }

    public static CatalogProblem error(String source, int line, int column, String pointer, String message) {
        return new CatalogProblem(Severity.ERROR, source, line, column, pointer, message);
    }

    public static CatalogProblem warning(String source, int line, int column, String pointer, String message) {
        return new CatalogProblem(Severity.WARNING, source, line, column, pointer, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (severity == Severity.WARNING) {
            sb.append("warning: ");
        }
        if (!pointer.isEmpty()) {
            // The pointer holds the file's own keys, which may be anything: shown escaped and clipped.
            sb.append(Quoted.clean(pointer, MAX_POINTER_CHARS)).append(": ");
        }
        return sb.append(message).toString();
    }

    /** Errors and warnings together, in file order. */
    public static List<CatalogProblem> inFileOrder(List<CatalogProblem> errors, List<CatalogProblem> warnings) {
        List<CatalogProblem> all = new java.util.ArrayList<>(errors);
        all.addAll(warnings);
        all.sort(BY_POSITION);
        return List.copyOf(all);
    }
}

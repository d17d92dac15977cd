package dev.nexus.services.catalog;

import java.util.List;
import java.util.stream.Collectors;

/** A catalog was refused (it would not validate) or could not be written; the problems say why. */
public class CatalogException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<CatalogProblem> problems;

    public CatalogException(String summary, List<CatalogProblem> problems, Throwable cause) {
        super(summary + problems.stream().map(p -> "\n  " + p).collect(Collectors.joining()), cause);
        this.problems = List.copyOf(problems);
    }

    public CatalogException(String summary, List<CatalogProblem> problems) {
        this(summary, problems, null);
    }

    public List<CatalogProblem> problems() {
        return problems;
    }
}

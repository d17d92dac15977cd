package dev.nexus.services.catalog;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * What reading a catalog text gave.
 *
 * @param catalog  the catalog, or null when there is at least one error
 * @param errors   problems that make the file unusable, in file order
 * @param warnings problems that do not (unknown fields, ignored values), in file order
 * @param tree     the parsed JSON, kept so that a later write can preserve what this version does not
 *                 know; null when the text is not JSON at all
 */
public record ParseOutcome(Catalog catalog, List<CatalogProblem> errors, List<CatalogProblem> warnings,
                           JsonNode tree) {

    public ParseOutcome {
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    public boolean ok() {
        return errors.isEmpty();
    }

    /** Errors and warnings together, in file order. */
    public List<CatalogProblem> problems() {
        return CatalogProblem.inFileOrder(errors, warnings);
    }
}

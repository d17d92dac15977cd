package dev.nexus.services.catalog;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link CatalogStore#load()} gave.
 *
 * @param catalog        the catalog to run with: the file's, or a fallback when the file is bad
 * @param file           the catalog file that was read (or created)
 * @param errors         why the file could not be used; empty when it was
 * @param warnings       things worth telling the user about a usable file
 * @param createdDefaults the file did not exist and was created with the Nexus defaults
 * @param usedLastGood   the file is bad; {@code catalog} is the last good one held in memory, or the
 *                       defaults (not written) when nothing good was ever loaded
 */
public record LoadResult(Catalog catalog, Path file, List<CatalogProblem> errors, List<CatalogProblem> warnings,
                         boolean createdDefaults, boolean usedLastGood) {

    public LoadResult {
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

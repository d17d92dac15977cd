package dev.nexus.services.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.NexusPaths;

import java.util.List;
import java.util.Objects;

/**
 * Reads and writes {@code services.json}.
 *
 * <h2>Reading</h2>
 * Every problem is collected in one pass, each with its JSON pointer and the line and column it is written
 * at (for a missing field: its object's). Unknown fields are warnings, not errors, so a file written by a
 * newer version or annotated by hand still loads. An absent optional field, or one set to {@code null},
 * means its default: kind daemon, enabled, manager auto, workingDir the Nexus home ({@code ~} and
 * {@code ~/...} are the user's home, relative paths are taken from the Nexus home), no env, no
 * dependencies, the restart defaults of {@link RestartSpec#DEFAULT}, stop timeout 10s, logs at
 * {@link NexusPaths#stdoutLog}/{@link NexusPaths#stderrLog} rotated at 10MB × 5, probe timing per role
 * ({@link ProbeSpec#startup}, {@link ProbeSpec#liveness}, {@link ProbeSpec#readiness}; children use
 * readiness), tcp host 127.0.0.1, job timeout {@link JobSpec#DEFAULT_TIMEOUT}.
 *
 * <h2>Writing</h2>
 * {@link #write} merges the catalog into the tree the file was last read from, matching services (and
 * children) by name:
 * <ul>
 *   <li>A field whose value did not change keeps its previous text, or its absence: "1m" stays "1m",
 *       "~/work" stays "~/work", and saving one toggle changes one line.</li>
 *   <li>A changed field is written in the canonical form; inside a changed object the unchanged fields
 *       still keep their text.</li>
 *   <li>Unknown fields are kept where they were (after the known ones), at every level.</li>
 * </ul>
 * A fresh object (no previous tree, as for the defaults file, or a service new to the file) shows the
 * knobs people come to edit, and leaves out defaults that would only be noise:
 * <ul>
 *   <li>Always: name, displayName, kind, enabled, command, manager (not for a connection), port when set,
 *       each probe with type, target and period/timeout/failureThreshold, children, a job's schedule
 *       (every and timeout), a connection's url ({@code null} until set, to show where it goes).</li>
 *   <li>For a daemon also: the whole restart block, stopTimeout, and log maxSize/keep.</li>
 *   <li>Only when they differ from the default: workingDir, env, dependsOn, log file paths (they follow
 *       {@code NEXUS_ROOT} when left out), probe initialDelay/successThreshold, a child probe's timing,
 *       tcp host, and a job's or connection's restart/stopTimeout/log.</li>
 * </ul>
 * Output is two-space indented JSON with a trailing newline, fields in a fixed order, short arrays of
 * strings on one line.
 */
public final class CatalogCodec {
    private final NexusPaths paths;
    private final CatalogWriter writer;

    public CatalogCodec(NexusPaths paths) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.writer = new CatalogWriter(paths);
    }

    public NexusPaths paths() {
        return paths;
    }

    /**
     * Parses and validates a catalog text.
     *
     * @param sourceName how problems name the text, usually the file name ("services.json")
     */
    public ParseOutcome parse(String text, String sourceName) {
        JsonText.Scanned scanned = JsonText.scan(text, sourceName);
        if (scanned.syntaxError() != null) {
            return new ParseOutcome(null, List.of(scanned.syntaxError()), List.of(), null);
        }
        CatalogReader.Result result = new CatalogReader(paths, sourceName, scanned.locations()).read(scanned.tree());
        return new ParseOutcome(result.catalog(), result.errors(), result.warnings(), scanned.tree());
    }

    /**
     * The text for a catalog, merged into {@code previousTree} (the tree of the last successful parse, or
     * null for a fresh file) as described on this class. It parses back to an equal catalog.
     */
    public String write(Catalog catalog, JsonNode previousTree) {
        return PrettyJson.print(writer.write(catalog, previousTree));
    }
}

package dev.nexus.services.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.AtomicFiles;
import dev.nexus.services.support.NexusPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The catalog file on disk and the catalog in force. The user's file is only ever replaced by an explicit
 * {@link #save}: a bad file is reported and left alone while the last good catalog stays in force, and a
 * save is atomic (temporary file in the same directory, fsync, rename, fsync of the directory), so a
 * crash or a failed save leaves either the old file or the new one, never a mix.
 */
public final class CatalogStore {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogStore.class);

    private final NexusPaths paths;
    private final CatalogCodec codec;
    /** Null until a file loaded or saved without errors. */
    private Catalog lastGood;
    /** The tree {@link #lastGood} came from: saves merge into it to keep what this version does not know. */
    private JsonNode lastGoodTree;
    private Catalog current;

    public CatalogStore(NexusPaths paths, CatalogCodec codec) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    public Path file() {
        return paths.catalogFile();
    }

    public NexusPaths paths() {
        return paths;
    }

    /**
     * Reads the catalog file. A missing file is created with the Nexus defaults. A bad or unreadable file
     * is not touched: the result carries its problems and falls back to the last good catalog (or, when
     * nothing good was ever loaded, to the defaults, without writing them).
     */
    public synchronized LoadResult load() {
        Path file = file();
        String source = file.getFileName().toString();
        if (Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
            return createDefaults(file, source);
        }
        String text;
        try {
            text = decode(Files.readAllBytes(file));
        } catch (CharacterCodingException e) {
            return fallBack(file, List.of(problem(source, "the file is not UTF-8 text; save it as UTF-8")), List.of());
        } catch (IOException e) {
            return fallBack(file, List.of(problem(source, "cannot read the file: " + reason(e))), List.of());
        }
        ParseOutcome outcome = codec.parse(text, source);
        if (!outcome.ok()) {
            return fallBack(file, outcome.errors(), outcome.warnings());
        }
        remember(outcome);
        outcome.warnings().forEach(w -> LOG.warn("{}", w));
        return new LoadResult(outcome.catalog(), file, List.of(), outcome.warnings(), false, false);
    }

    /** The catalog in force: the last good one, or the defaults when no good file was ever read. */
    public synchronized Catalog current() {
        if (current == null) {
            throw new IllegalStateException("the catalog has not been loaded yet; call load() first");
        }
        return current;
    }

    /**
     * Writes {@code catalog} to the file, keeping the unknown fields (and the text of unchanged values) of
     * the last good file. Refuses a catalog that does not validate; either way a failure leaves the old
     * file exactly as it was.
     *
     * @throws CatalogException with the validation problems, or the write failure as a single problem
     */
    public synchronized void save(Catalog catalog) throws CatalogException {
        Path file = file();
        String text = codec.write(catalog, lastGoodTree);
        // Problems are located in the text we were about to write, which never reached the disk.
        ParseOutcome check = codec.parse(text, file.getFileName() + " (not saved)");
        if (!check.ok()) {
            throw new CatalogException("refusing to save " + file + ": the catalog is not valid", check.errors());
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CatalogException("could not save " + file,
                    List.of(problem(file.getFileName().toString(), "cannot write the file: " + reason(e))), e);
        }
        remember(check);
        LOG.info("Saved the service catalog to {}", file);
    }

    private LoadResult createDefaults(Path file, String source) {
        Catalog defaults = NexusDefaults.catalog(paths);
        String text = codec.write(defaults, null);
        ParseOutcome outcome = codec.parse(text, source);
        if (!outcome.ok()) {
            throw new IllegalStateException("the built-in default catalog does not validate: " + outcome.errors());
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return fallBack(file, List.of(problem(source, "cannot create the file with the Nexus defaults: "
                    + reason(e))), List.of());
        }
        remember(outcome);
        LOG.info("Created {} with the Nexus defaults", file);
        return new LoadResult(outcome.catalog(), file, List.of(), outcome.warnings(), true, false);
    }

    private LoadResult fallBack(Path file, List<CatalogProblem> errors, List<CatalogProblem> warnings) {
        current = lastGood != null ? lastGood : NexusDefaults.catalog(paths);
        LOG.warn("{} has {} error(s); keeping the {} catalog:{}", file, errors.size(),
                lastGood != null ? "last good" : "default",
                errors.stream().map(e -> "\n  " + e).reduce("", String::concat));
        return new LoadResult(current, file, errors, warnings, false, true);
    }

    private void remember(ParseOutcome good) {
        lastGood = good.catalog();
        lastGoodTree = good.tree();
        current = lastGood;
    }

    private static String decode(byte[] bytes) throws CharacterCodingException {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
        String text = chars.toString();
        // Some editors on Windows start UTF-8 files with a byte order mark; it is not JSON.
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static CatalogProblem problem(String source, String message) {
        return CatalogProblem.error(source, 0, 0, "", message);
    }

    /** An I/O failure in words, without Java class names. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + ((NoSuchFileException) e).getFile();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + ((AccessDeniedException) e).getFile();
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason() + (fse.getFile() != null ? ": " + fse.getFile() : "");
        }
        return e.getMessage() != null ? e.getMessage() : "input/output error";
    }
}

package dev.nexus.services.credentials;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.AtomicFiles;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The non-secret index {@code state/credentials.json}: which credentials exist, in which store, created
 * and updated when. It makes listing fast on every OS (keychains cannot all list by prefix cheaply) and
 * tells {@link Credentials} which store to read. It never holds a secret.
 *
 * <p>Changes are read-modify-write under a lock on the sibling {@code credentials.json.lock} (threads
 * and processes), and land through an atomic rename, so readers need no lock and never see a torn file.
 */
public final class CredentialIndex {
    static final int FORMAT_VERSION = 1;

    private final Path file;
    private final Path lockFile;

    public CredentialIndex(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    }

    public static CredentialIndex at(NexusPaths paths) {
        return new CredentialIndex(paths.state().resolve("credentials.json"));
    }

    public Path file() {
        return file;
    }

    /** Every entry, sorted by name. */
    public List<CredentialInfo> list() throws CredentialException {
        return new ArrayList<>(load().values());
    }

    public Optional<CredentialInfo> find(CredentialName name) throws CredentialException {
        return Optional.ofNullable(load().get(name));
    }

    /**
     * Starts a change: the lock is held (other writers wait) until the transaction is closed; nothing is
     * written unless {@link Transaction#commit()} is called.
     */
    public Transaction begin() throws CredentialException {
        FileLocks.Held held;
        try {
            held = FileLocks.acquire(lockFile);
        } catch (IOException e) {
            throw new CredentialException(CredentialException.Reason.FAILED,
                    "cannot lock the credential index (" + lockFile + "): " + e.getMessage(), e);
        }
        try {
            return new Transaction(held, load());
        } catch (CredentialException | RuntimeException e) {
            release(held, e);
            throw e;
        }
    }

    /** One change under the lock: the current state in, the entries to keep out (sorted by name). */
    public final class Transaction implements AutoCloseable {
        private final FileLocks.Held held;
        private final TreeMap<CredentialName, CredentialInfo> entries;
        private boolean closed;

        private Transaction(FileLocks.Held held, TreeMap<CredentialName, CredentialInfo> entries) {
            this.held = held;
            this.entries = entries;
        }

        public Optional<CredentialInfo> get(CredentialName name) {
            return Optional.ofNullable(entries.get(name));
        }

        public void put(CredentialInfo info) {
            entries.put(info.name(), info);
        }

        public boolean remove(CredentialName name) {
            return entries.remove(name) != null;
        }

        public List<CredentialInfo> entries() {
            return new ArrayList<>(entries.values());
        }

        /** Writes the entries atomically; the lock stays held until {@link #close()}. */
        public void commit() throws CredentialException {
            if (closed) {
                throw new IllegalStateException("the index transaction is already closed");
            }
            try {
                AtomicFiles.write(file, render(entries.values()));
            } catch (IOException e) {
                throw new CredentialException(CredentialException.Reason.FAILED,
                        "cannot write the credential index " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws CredentialException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                held.close();
            } catch (IOException e) {
                throw new CredentialException(CredentialException.Reason.FAILED,
                        "cannot release the lock on " + lockFile + ": " + e.getMessage(), e);
            }
        }
    }

    private static void release(FileLocks.Held held, Exception cause) {
        try {
            held.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private TreeMap<CredentialName, CredentialInfo> load() throws CredentialException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        } catch (IOException e) {
            throw new CredentialException(CredentialException.Reason.FAILED,
                    "cannot read the credential index " + file + ": " + e.getMessage(), e);
        }
        return parse(bytes);
    }

    private TreeMap<CredentialName, CredentialInfo> parse(byte[] bytes) throws CredentialException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw corrupt("it is not valid JSON (" + firstLine(e) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw corrupt("expected a JSON object with \"version\" and \"credentials\"", null);
        }
        int version = root.path("version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw corrupt("unsupported \"version\": " + root.path("version") + " (this build reads version "
                    + FORMAT_VERSION + ")", null);
        }
        JsonNode list = root.path("credentials");
        if (!list.isArray()) {
            throw corrupt("\"credentials\" must be an array", null);
        }
        TreeMap<CredentialName, CredentialInfo> entries = new TreeMap<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = "credentials[" + i + "]";
            try {
                CredentialName name = CredentialName.parse(text(entry, "name", where));
                String backend = text(entry, "backend", where);
                Instant created = Instant.parse(text(entry, "created", where));
                Instant updated = Instant.parse(text(entry, "updated", where));
                if (entries.put(name, new CredentialInfo(name, backend, created, updated)) != null) {
                    throw corrupt(where + ": \"" + name + "\" is listed twice", null);
                }
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw corrupt(where + ": " + e.getMessage(), e);
            }
        }
        return entries;
    }

    private String text(JsonNode entry, String field, String where) throws CredentialException {
        JsonNode value = entry.path(field);
        if (!value.isTextual()) {
            throw corrupt(where + ": \"" + field + "\" must be a string", null);
        }
        return value.asText();
    }

    private CredentialException corrupt(String problem, Throwable cause) {
        return new CredentialException(CredentialException.Reason.CORRUPT,
                "the credential index " + file + " is damaged: " + problem
                        + ". It holds no secrets: move it away and set the credentials again to rebuild it", cause);
    }

    private static byte[] render(Iterable<CredentialInfo> entries) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", FORMAT_VERSION);
        ArrayNode list = root.putArray("credentials");
        for (CredentialInfo info : entries) {
            ObjectNode entry = list.addObject();
            entry.put("name", info.name().toString());
            entry.put("backend", info.backend());
            entry.put("created", info.created().toString());
            entry.put("updated", info.updated().toString());
        }
        try {
            return (Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the credential index", e);
        }
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}

package dev.nexus.services.credentials;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads {@code op://vault/item/field} references through the 1Password CLI: {@code op read --no-newline
 * <reference>}. Read-only: 1Password is where such secrets are edited.
 *
 * <p>The secret only ever travels over {@code op}'s stdout; the only argument is the reference, which is
 * not secret. Stdin is closed at once so {@code op} can never wait on a prompt there, and a call that
 * does not finish within the timeout (10 s: 1Password may be waiting for the user to unlock the app) is
 * killed and reported.
 */
public final class OnePasswordReader {
    public static final String SCHEME = "op://";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_SECRET_BYTES = 64 * 1024;
    private static final int MAX_ERROR_CHARS = 300;

    private final Map<String, String> env;
    private final Duration timeout;
    private final Optional<Path> executable;

    /** {@code op} is looked up on the PATH of {@code env}, which is also the environment it runs with. */
    public OnePasswordReader(Map<String, String> env) {
        this(env, DEFAULT_TIMEOUT);
    }

    public OnePasswordReader(Map<String, String> env, Duration timeout) {
        this.env = Map.copyOf(env);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.executable = findOnPath(this.env);
    }

    /** Whether {@code text} is meant as a 1Password reference (it may still be malformed). */
    public static boolean isReference(String text) {
        return text != null && text.startsWith(SCHEME);
    }

    /** Where {@code op} was found, if anywhere. */
    public Optional<Path> executable() {
        return executable;
    }

    public boolean isAvailable() {
        return executable.isPresent();
    }

    /** The secret the reference points at; never empty. */
    public Secret resolve(String reference) throws CredentialException {
        validate(reference);
        Path op = executable.orElseThrow(() -> new CredentialException(CredentialException.Reason.UNAVAILABLE,
                "cannot read " + reference + ": the 1Password CLI (op) is not on PATH. Install it and sign in "
                        + "(op signin), or store the value in the keychain instead"));
        ProcessBuilder builder = new ProcessBuilder(op.toString(), "read", "--no-newline", reference);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CredentialException(CredentialException.Reason.UNAVAILABLE,
                    "cannot read " + reference + ": starting " + op + " failed: " + e.getMessage(), e);
        }
        byte[] out = null;
        try {
            process.getOutputStream().close();
            CompletableFuture<byte[]> stdout = drain(process.getInputStream(), MAX_SECRET_BYTES + 1);
            CompletableFuture<byte[]> stderr = drain(process.getErrorStream(), 16 * 1024);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new CredentialException(CredentialException.Reason.LOCKED,
                        "cannot read " + reference + ": op did not answer within " + timeout.toSeconds()
                                + " s. It may be waiting for you to unlock 1Password or to approve access: "
                                + "unlock the 1Password app (or run: op signin) and try again");
            }
            out = stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String errors = summary(stderr.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            int exit = process.exitValue();
            if (exit != 0) {
                throw failure(reference, exit, errors);
            }
            if (out.length > MAX_SECRET_BYTES) {
                throw new CredentialException(CredentialException.Reason.FAILED,
                        "cannot read " + reference + ": the value is larger than " + MAX_SECRET_BYTES + " bytes");
            }
            if (out.length == 0) {
                throw new CredentialException(CredentialException.Reason.FAILED,
                        "the 1Password field " + reference + " is empty: put the value into it in 1Password");
            }
            return Secret.of(decode(out, reference));
        } catch (IOException | ExecutionException | TimeoutException e) {
            kill(process);
            throw new CredentialException(CredentialException.Reason.FAILED,
                    "cannot read " + reference + " through op: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new CredentialException(CredentialException.Reason.FAILED,
                    "interrupted while reading " + reference + " through op", e);
        } finally {
            if (out != null) {
                Arrays.fill(out, (byte) 0);
            }
        }
    }

    /** {@code op://vault/item/field} or {@code op://vault/item/section/field}, optionally with {@code ?attribute=...}. */
    static void validate(String reference) throws CredentialException {
        if (!isReference(reference)) {
            throw invalid(reference, "it must start with " + SCHEME);
        }
        for (int i = 0; i < reference.length(); i++) {
            if (Character.isISOControl(reference.charAt(i))) {
                throw invalid(reference, "it contains a control character");
            }
        }
        String path = reference.substring(SCHEME.length());
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        String[] parts = path.split("/", -1);
        if (parts.length < 3 || parts.length > 4) {
            throw invalid(reference, "expected op://vault/item/field or op://vault/item/section/field");
        }
        for (String part : parts) {
            if (part.isBlank()) {
                throw invalid(reference, "a part between slashes is empty");
            }
        }
    }

    private static CredentialException invalid(String reference, String why) {
        return new CredentialException(CredentialException.Reason.FAILED,
                "\"" + reference + "\" is not a valid 1Password reference: " + why);
    }

    private static CredentialException failure(String reference, int exit, String errors) {
        String lower = errors.toLowerCase(Locale.ROOT);
        if (lower.contains("dismissed") || lower.contains("denied")) {
            return new CredentialException(CredentialException.Reason.DENIED,
                    "cannot read " + reference + ": access was refused in 1Password (" + errors
                            + "). Approve the request in the 1Password app and try again");
        }
        if (lower.contains("signed in") || lower.contains("sign in") || lower.contains("signin")
                || lower.contains("session expired") || lower.contains("authorization") || lower.contains("locked")) {
            return new CredentialException(CredentialException.Reason.LOCKED,
                    "cannot read " + reference + ": 1Password is locked or not signed in (" + errors
                            + "). Unlock the 1Password app or run: op signin");
        }
        if (lower.contains("isn't an item") || lower.contains("isn't a vault") || lower.contains("isn't a field")
                || lower.contains("not found") || lower.contains("could not find") || lower.contains("no item")) {
            return new CredentialException(CredentialException.Reason.FAILED,
                    "1Password has nothing at " + reference + " (" + errors
                            + "). Check the vault, item and field names (op item get <item>)");
        }
        return new CredentialException(CredentialException.Reason.FAILED,
                "cannot read " + reference + ": op exited with status " + exit
                        + (errors.isEmpty() ? "" : " (" + errors + ")"));
    }

    private static String decode(byte[] bytes, String reference) throws CredentialException {
        try {
            char[] value = SecretText.decodeUtf8(bytes);
            try {
                return new String(value);
            } finally {
                Arrays.fill(value, '\0');
            }
        } catch (CharacterCodingException e) {
            throw new CredentialException(CredentialException.Reason.FAILED,
                    "the value of " + reference + " is not UTF-8 text");
        }
    }

    /** The first line of stderr, bounded: enough to say what went wrong. */
    private static String summary(byte[] stderr) {
        String text = new String(stderr, StandardCharsets.UTF_8).strip();
        int newline = text.indexOf('\n');
        if (newline >= 0) {
            text = text.substring(0, newline).strip();
        }
        return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "…" : text;
    }

    private static CompletableFuture<byte[]> drain(InputStream in, int limit) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (in) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                byte[] chunk = new byte[4096];
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    int room = limit - buffer.size();
                    if (room > 0) {
                        buffer.write(chunk, 0, Math.min(n, room));
                    }
                }
                Arrays.fill(chunk, (byte) 0);
                result.complete(buffer.toByteArray());
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        }, "op-read-output");
        reader.setDaemon(true);
        reader.start();
        return result;
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static Optional<Path> findOnPath(Map<String, String> env) {
        String path = env.get("PATH");
        if (path == null) {
            path = env.get("Path");
        }
        if (path == null || path.isEmpty()) {
            return Optional.empty();
        }
        boolean windows = HostOs.CURRENT == HostOs.WINDOWS;
        List<String> names = windows ? List.of("op.exe", "op.bat", "op.cmd") : List.of("op");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            for (String name : names) {
                try {
                    Path candidate = Path.of(dir, name);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return Optional.of(candidate.toAbsolutePath());
                    }
                } catch (InvalidPathException e) {
                    // A PATH entry that is not a path cannot hold op.
                }
            }
        }
        return Optional.empty();
    }
}

package dev.nexus.services.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.AtomicFiles;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.support.PrivateDirs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback store when no keychain answers (a headless server, CI without a Secret Service): all
 * secrets in one file, {@code state/credentials.enc} (0600), encrypted with AES-256-GCM under a random
 * key in {@code state/run/credentials.key} (0600).
 *
 * <p>What protects it must be said plainly: the key sits next to the data, readable by the same user,
 * so the encryption only stops someone who gets the data file alone (a backup, a synced folder). It is
 * {@value #PROTECTION}.
 *
 * <p>File layout: a 28-byte header, then the ciphertext with its 16-byte GCM tag. The header (magic
 * {@code NXC1}, an 8-byte key fingerprint, the ciphertext length, a fresh random 96-bit nonce per write)
 * is authenticated as associated data, so a wrong key, a truncated file and a modified byte are each
 * told apart and reported as {@link CredentialException.Reason#CORRUPT}. A store that cannot be read is
 * never written: the damaged file stays as it is until someone decides what to do with it.
 */
public final class EncryptedFileStore implements CredentialStore, ExplainsAvailability {
    public static final String ID = "encrypted-file";
    public static final String PROTECTION =
            "protected only by file permissions of your user account; anyone who can read your files can read these secrets";

    private static final Logger LOG = LoggerFactory.getLogger(EncryptedFileStore.class);
    private static final byte[] MAGIC = {'N', 'X', 'C', '1'};
    private static final int KEY_BYTES = 32;
    private static final int KEY_ID_BYTES = 8;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    static final int HEADER_BYTES = MAGIC.length + KEY_ID_BYTES + Integer.BYTES + NONCE_BYTES;
    private static final byte[] KEY_ID_LABEL = "dev.nexus.credentials key id".getBytes(StandardCharsets.US_ASCII);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Path keyFile;
    private final Path lockFile;
    private final AtomicBoolean warnedLoosePermissions = new AtomicBoolean();

    public EncryptedFileStore(Path file, Path keyFile) {
        this.file = file.toAbsolutePath().normalize();
        this.keyFile = keyFile.toAbsolutePath().normalize();
        this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    }

    /** {@code state/credentials.enc} with its key in {@code state/run/credentials.key}. */
    public static EncryptedFileStore at(NexusPaths paths) {
        return new EncryptedFileStore(paths.state().resolve("credentials.enc"), paths.run().resolve("credentials.key"));
    }

    public Path file() {
        return file;
    }

    public Path keyFile() {
        return keyFile;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "an encrypted file (" + file + ", AES-256-GCM, key in " + keyFile + "), " + PROTECTION;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Availability availability() {
        return Availability.yes("always available as the fallback");
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Optional<Secret> read(CredentialName name) throws CredentialException {
        // No lock: writers replace the file by an atomic rename, so a read sees one whole version.
        return Optional.ofNullable(load(false).get(name.toString())).map(Secret::of);
    }

    @Override
    public void write(CredentialName name, Secret value) throws CredentialException {
        try (FileLocks.Held ignored = lock()) {
            TreeMap<String, String> entries = load(true);
            entries.put(name.toString(), value.reveal());
            save(entries);
        } catch (IOException e) {
            throw failed("cannot store " + name + " in " + file, e);
        }
    }

    @Override
    public boolean delete(CredentialName name) throws CredentialException {
        try (FileLocks.Held ignored = lock()) {
            TreeMap<String, String> entries = load(false);
            if (entries.remove(name.toString()) == null) {
                return false;
            }
            save(entries);
            return true;
        } catch (IOException e) {
            throw failed("cannot remove " + name + " from " + file, e);
        }
    }

    /** The names stored in the file (for checks against the index); never the values. */
    public Set<CredentialName> names() throws CredentialException {
        Set<CredentialName> names = new java.util.TreeSet<>();
        for (String name : load(false).keySet()) {
            names.add(CredentialName.parse(name));
        }
        return names;
    }

    private FileLocks.Held lock() throws CredentialException {
        try {
            return FileLocks.acquire(lockFile);
        } catch (IOException e) {
            throw failed("cannot lock " + lockFile, e);
        }
    }

    /**
     * The decrypted entries. With {@code forWrite}, a missing key is created when there is no data
     * yet; without it, nothing is ever created.
     */
    private TreeMap<String, String> load(boolean forWrite) throws CredentialException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (forWrite) {
                key(true);
            }
            return new TreeMap<>();
        } catch (IOException e) {
            throw failed("cannot read " + file, e);
        }
        byte[] key = key(false);
        if (key == null) {
            throw corrupt("its key file " + keyFile + " is missing, and the secrets cannot be decrypted without it. "
                    + "Restore the key file from where you keep backups, or move " + file
                    + " away (its secrets are then lost) and set the credentials again");
        }
        byte[] plain = null;
        try {
            plain = decrypt(data, key);
            return parse(plain);
        } finally {
            Arrays.fill(key, (byte) 0);
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    private byte[] decrypt(byte[] data, byte[] key) throws CredentialException {
        if (data.length < HEADER_BYTES) {
            throw corrupt("it is truncated: " + data.length + " bytes, shorter than the " + HEADER_BYTES + "-byte header");
        }
        ByteBuffer header = ByteBuffer.wrap(data, 0, HEADER_BYTES);
        byte[] magic = new byte[MAGIC.length];
        header.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw corrupt("it does not start with the header of a Nexus credentials file");
        }
        byte[] keyId = new byte[KEY_ID_BYTES];
        header.get(keyId);
        if (!MessageDigest.isEqual(keyId, keyId(key))) {
            throw corrupt("the key in " + keyFile + " is not the key this file was written with (wrong key). "
                    + "Restore the matching key file, or move " + file + " away and set the credentials again");
        }
        int cipherLength = header.getInt();
        int actual = data.length - HEADER_BYTES;
        if (cipherLength != actual) {
            throw corrupt(actual < cipherLength
                    ? "it is truncated: " + actual + " of " + cipherLength + " bytes of ciphertext are there"
                    : "it has " + (actual - cipherLength) + " unexpected bytes after the ciphertext");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        header.get(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(data, 0, HEADER_BYTES);
            return cipher.doFinal(data, HEADER_BYTES, cipherLength);
        } catch (AEADBadTagException e) {
            throw corrupt("its content was modified (the authentication tag does not match)");
        } catch (GeneralSecurityException e) {
            throw new CredentialException(CredentialException.Reason.FAILED,
                    "cannot decrypt " + file + ": " + e.getMessage(), e);
        }
    }

    private void save(TreeMap<String, String> entries) throws CredentialException, IOException {
        byte[] key = key(true);
        byte[] plain = render(entries);
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            int cipherLength = plain.length + TAG_BITS / 8;
            ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + cipherLength);
            out.put(MAGIC).put(keyId(key)).putInt(cipherLength).put(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(out.array(), 0, HEADER_BYTES);
            int written = cipher.doFinal(plain, 0, plain.length, out.array(), HEADER_BYTES);
            if (written != cipherLength) {
                throw new IllegalStateException("AES-GCM produced " + written + " bytes, expected " + cipherLength);
            }
            AtomicFiles.write(file, out.array());
        } catch (GeneralSecurityException e) {
            throw new CredentialException(CredentialException.Reason.FAILED, "cannot encrypt " + file + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** The key, or null when it does not exist and {@code create} is false. */
    private byte[] key(boolean create) throws CredentialException {
        try {
            byte[] key = Files.readAllBytes(keyFile);
            if (key.length != KEY_BYTES) {
                throw corrupt("its key file " + keyFile + " has " + key.length + " bytes instead of " + KEY_BYTES
                        + ". Restore the key file, or move " + file + " and the key file away and set the credentials again");
            }
            warnIfLoose(keyFile);
            return key;
        } catch (NoSuchFileException e) {
            if (!create) {
                return null;
            }
        } catch (IOException e) {
            throw failed("cannot read the key file " + keyFile, e);
        }
        // Only reached under the write lock, so two writers never create two different keys.
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        try {
            PrivateDirs.create(keyFile.getParent());
            AtomicFiles.write(keyFile, key);
        } catch (IOException e) {
            Arrays.fill(key, (byte) 0);
            throw failed("cannot create the key file " + keyFile, e);
        }
        LOG.info("Created the key for the encrypted credential file: {}", keyFile);
        return key;
    }

    private void warnIfLoose(Path path) {
        if (!POSIX || warnedLoosePermissions.get()) {
            return;
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            permissions.retainAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
            if (!permissions.isEmpty() && warnedLoosePermissions.compareAndSet(false, true)) {
                LOG.warn("{} can be read or written by other users: run chmod 600 {}", path, path);
            }
        } catch (IOException e) {
            // Only a warning is at stake; reading the key itself already worked.
        }
    }

    private static byte[] keyId(byte[] key) throws CredentialException {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Arrays.copyOf(mac.doFinal(KEY_ID_LABEL), KEY_ID_BYTES);
        } catch (GeneralSecurityException e) {
            throw new CredentialException(CredentialException.Reason.FAILED, "HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
    }

    private TreeMap<String, String> parse(byte[] plain) throws CredentialException {
        TreeMap<String, String> entries = new TreeMap<>();
        try {
            JsonNode secrets = Json.MAPPER.readTree(plain).path("credentials");
            if (!secrets.isObject()) {
                throw corrupt("the decrypted content has no \"credentials\" object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = secrets.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (!entry.getValue().isTextual() || entry.getValue().asText().isEmpty()) {
                    throw corrupt("the entry \"" + entry.getKey() + "\" is not a non-empty string");
                }
                entries.put(entry.getKey(), entry.getValue().asText());
            }
        } catch (IOException e) {
            // Never quote the parser's message: it may contain decrypted text.
            throw corrupt("the decrypted content is not valid JSON");
        }
        return entries;
    }

    private static byte[] render(TreeMap<String, String> entries) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", 1);
        ObjectNode secrets = root.putObject("credentials");
        entries.forEach(secrets::put);
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the credential file", e);
        }
    }

    private CredentialException corrupt(String problem) {
        return new CredentialException(CredentialException.Reason.CORRUPT,
                "the encrypted credential file " + file + " cannot be used: " + problem
                        + ". Nothing was changed; writes are refused until this is resolved");
    }

    private static CredentialException failed(String what, IOException e) {
        return new CredentialException(CredentialException.Reason.FAILED, what + ": " + e, e);
    }
}

package dev.nexus.services.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.support.AtomicFiles;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * An Ed25519 device identity (the JDK's own, no library): {@code device.id} is the SHA-256 hex of the raw
 * 32-byte public key, the public key travels base64url-encoded, and the device signs each connect's
 * challenge. The key pair lives in one file in the run dir, readable only by the user (0600).
 */
public final class DeviceIdentity {
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key is the 32 bytes after it. */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

    private final PrivateKey privateKey;
    private final byte[] rawPublicKey;
    private final String id;

    private DeviceIdentity(PrivateKey privateKey, byte[] rawPublicKey) {
        this.privateKey = privateKey;
        this.rawPublicKey = rawPublicKey.clone();
        this.id = deviceId(rawPublicKey);
    }

    /** A fresh key pair, kept in memory only. */
    public static DeviceIdentity generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return new DeviceIdentity(pair.getPrivate(), raw(pair.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys: " + e.getMessage(), e);
        }
    }

    /**
     * The identity kept in {@code file}, made and saved (0600) on first use. A file that is not ours
     * or is damaged is reported, never silently replaced: the gateway paired this device's key.
     */
    public static DeviceIdentity loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        DeviceIdentity created = generate();
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("version", 1);
        json.put("algorithm", "Ed25519");
        json.put("deviceId", created.id);
        json.put("publicKey", created.publicKeyBase64Url());
        json.put("privateKeyPkcs8", Base64.getEncoder().encodeToString(created.privateKey.getEncoded()));
        AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        return created;
    }

    private static DeviceIdentity load(Path file) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                && !Files.getPosixFilePermissions(file).equals(OWNER_READ_WRITE)) {
            Files.setPosixFilePermissions(file, OWNER_READ_WRITE);
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException(file + " is not a device identity file (not JSON): " + e.getMessage(), e);
        }
        JsonNode encoded = json == null ? null : json.get("privateKeyPkcs8");
        JsonNode publicKey = json == null ? null : json.get("publicKey");
        if (encoded == null || !encoded.isTextual() || publicKey == null || !publicKey.isTextual()) {
            throw new IOException(file + " is not a device identity file: privateKeyPkcs8 and publicKey are required");
        }
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(encoded.textValue())));
            byte[] raw = Base64.getUrlDecoder().decode(publicKey.textValue());
            DeviceIdentity identity = new DeviceIdentity(key, raw);
            // The pair must belong together, or every signature would be refused as "not paired".
            if (!verify(identity.publicKeyBase64Url(), "nexus-services", identity.sign("nexus-services"))) {
                throw new IOException(file + ": the private key does not match the public key");
            }
            return identity;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " holds an unreadable Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** SHA-256 hex of the raw public key. */
    public String id() {
        return id;
    }

    public String publicKeyBase64Url() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(rawPublicKey);
    }

    /** The Ed25519 signature of the UTF-8 text, base64url without padding. */
    public String sign(String payload) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(payload.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    /** Checks a signature made by {@link #sign} with the given base64url raw public key. */
    public static boolean verify(String publicKeyBase64Url, String payload, String signatureBase64Url) {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(publicKeyBase64Url);
            if (raw.length != 32) {
                return false;
            }
            byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + 32);
            System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, 32);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(payload.getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getUrlDecoder().decode(signatureBase64Url));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** SHA-256 hex of raw public key bytes. */
    public static String deviceId(byte[] rawPublicKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rawPublicKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static byte[] raw(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der.length != SPKI_PREFIX.length + 32
                || !Arrays.equals(Arrays.copyOf(der, SPKI_PREFIX.length), SPKI_PREFIX)) {
            throw new IllegalStateException("unexpected Ed25519 public key encoding (" + der.length + " bytes)");
        }
        return Arrays.copyOfRange(der, SPKI_PREFIX.length, der.length);
    }

    /** The signed {@code device} block of a connect request. */
    ObjectNode connectBlock(ClientInfo client, Optional<Secret> token,
                            String nonce, long signedAtMs) {
        ObjectNode device = Json.MAPPER.createObjectNode();
        device.put("id", id);
        device.put("publicKey", publicKeyBase64Url());
        device.put("signature", sign(GatewayProtocol.deviceAuthPayload(id, client, signedAtMs, token, nonce)));
        device.put("signedAt", signedAtMs);
        if (nonce != null) {
            device.put("nonce", nonce);
        }
        return device;
    }
}

package dev.nexus.services.credentials.macos;

import dev.nexus.services.credentials.CredentialName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A SecItem dictionary as plain data, so what is asked of the keychain is visible and tested on every
 * OS. Keys are names of Security.framework constants ({@code kSecAttrService}); values are a
 * {@link String} (becomes a CFString), {@link Constant} (a framework constant such as
 * {@code kSecClassGenericPassword}), {@link Boolean} (a CFBoolean) or {@code byte[]} (a CFData).
 *
 * <p>Mapping: a credential {@code service/profile} is the generic password with
 * {@code kSecAttrService = "dev.nexus.<service>"} and {@code kSecAttrAccount = "<profile>"}, labelled
 * "Nexus: service/profile" in Keychain Access. Queries that may need the user's consent carry
 * {@code kSecUseAuthenticationUI = kSecUseAuthenticationUIFail}: a daemon must fail with
 * errSecInteractionNotAllowed rather than wait for a dialog.
 */
public record KeychainQuery(Map<String, Object> entries) {
    public static final String SERVICE_PREFIX = "dev.nexus.";

    /** A named Security.framework or CoreFoundation constant. */
    public record Constant(String name) {
        public Constant {
            Objects.requireNonNull(name, "name");
        }
    }

    public KeychainQuery {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public static String serviceOf(CredentialName name) {
        return SERVICE_PREFIX + name.service();
    }

    public static String labelOf(CredentialName name) {
        return "Nexus: " + name;
    }

    /** Identifies the item: class, service, account. */
    public static KeychainQuery item(CredentialName name) {
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("kSecClass", new Constant("kSecClassGenericPassword"));
        entries.put("kSecAttrService", serviceOf(name));
        entries.put("kSecAttrAccount", name.profile());
        return new KeychainQuery(entries);
    }

    /** SecItemCopyMatching: the one item's data, without any UI. */
    public static KeychainQuery read(CredentialName name) {
        return item(name)
                .with("kSecMatchLimit", new Constant("kSecMatchLimitOne"))
                .with("kSecReturnData", Boolean.TRUE)
                .with("kSecUseAuthenticationUI", new Constant("kSecUseAuthenticationUIFail"));
    }

    /** SecItemUpdate's query (which item) ... */
    public static KeychainQuery updateQuery(CredentialName name) {
        return item(name).with("kSecUseAuthenticationUI", new Constant("kSecUseAuthenticationUIFail"));
    }

    /** ... and its attributes to change. */
    public static KeychainQuery updateChanges(CredentialName name, byte[] data) {
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("kSecValueData", data);
        entries.put("kSecAttrLabel", labelOf(name));
        return new KeychainQuery(entries);
    }

    /** SecItemAdd: the item with its data and label. */
    public static KeychainQuery add(CredentialName name, byte[] data) {
        return item(name)
                .with("kSecAttrLabel", labelOf(name))
                .with("kSecValueData", data);
    }

    /** SecItemDelete. */
    public static KeychainQuery delete(CredentialName name) {
        return item(name).with("kSecUseAuthenticationUI", new Constant("kSecUseAuthenticationUIFail"));
    }

    public KeychainQuery with(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(entries);
        copy.put(key, value);
        return new KeychainQuery(copy);
    }

    public Object get(String key) {
        return entries.get(key);
    }

    /** Never shows data bytes: a query may carry the secret. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        entries.forEach((key, value) -> {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(key).append('=');
            if (value instanceof byte[]) {
                text.append("<data>");
            } else if (value instanceof Constant c) {
                text.append(c.name());
            } else {
                text.append(value);
            }
        });
        return text.append('}').toString();
    }
}

package dev.nexus.services.credentials.use;

import dev.nexus.services.credentials.CredentialName;
import java.util.Arrays;

/**
 * What one environment value in the catalog stands for: itself, a credential in the keychain
 * ({@code credential:anthropic/default}) or a 1Password item ({@code op://vault/item/field}). Only a
 * whole value is a reference, so a literal that merely contains "op://" somewhere stays a literal.
 */
public sealed interface EnvReference {
    String CREDENTIAL_PREFIX = "credential:";
    String ONE_PASSWORD_PREFIX = "op://";

    /** A plain value written in the catalog; not a secret (it is on disk already). */
    record Literal(String value) implements EnvReference {
    }

    record Credential(CredentialName name) implements EnvReference {
        @Override
        public String toString() {
            return CREDENTIAL_PREFIX + name;
        }
    }

    /** A 1Password secret reference; the reference names an item, it is not itself secret. */
    record OnePassword(String reference) implements EnvReference {
        @Override
        public String toString() {
            return reference;
        }
    }

    /**
     * Reads a catalog value.
     *
     * @throws IllegalArgumentException for a malformed reference; the message says what is wrong
     */
    static EnvReference parse(String value) {
        if (value == null) {
            return new Literal("");
        }
        if (value.startsWith(CREDENTIAL_PREFIX)) {
            return new Credential(CredentialName.parse(value.substring(CREDENTIAL_PREFIX.length()).trim()));
        }
        if (value.startsWith(ONE_PASSWORD_PREFIX)) {
            String path = value.substring(ONE_PASSWORD_PREFIX.length());
            String[] parts = path.split("/", -1);
            if (parts.length < 3 || Arrays.stream(parts).anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("invalid 1Password reference \"" + value
                        + "\": expected op://vault/item/field (or op://vault/item/section/field)");
            }
            return new OnePassword(value);
        }
        return new Literal(value);
    }

    /** True when the value is meant as a reference (well-formed or not). */
    static boolean looksLikeReference(String value) {
        return value != null && (value.startsWith(CREDENTIAL_PREFIX) || value.startsWith(ONE_PASSWORD_PREFIX));
    }

    /** The catalog text that refers to a credential. */
    static String credentialValue(CredentialName name) {
        return CREDENTIAL_PREFIX + name;
    }
}

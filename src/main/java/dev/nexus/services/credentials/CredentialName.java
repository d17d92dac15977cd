package dev.nexus.services.credentials;

import dev.nexus.services.support.Quoted;
import java.util.regex.Pattern;

/**
 * A credential's name: {@code service/profile}, e.g. {@code anthropic/default}, {@code gateway/token}.
 * Lower-case letters, digits, '-', '_' and '.' in each part, so names are safe in every keychain,
 * file name and environment reference.
 */
public record CredentialName(String service, String profile) implements Comparable<CredentialName> {
    private static final Pattern PART = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public CredentialName {
        if (service == null || !PART.matcher(service).matches() || profile == null || !PART.matcher(profile).matches()) {
            throw new IllegalArgumentException("invalid credential name " + Quoted.of(service + "/" + profile)
                    + ": expected service/profile such as anthropic/default (lower-case letters, digits, . _ -)");
        }
    }

    /** Parses {@code service/profile}; the message of the exception says what is wrong. */
    public static CredentialName parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a credential name is required, such as anthropic/default");
        }
        int slash = text.indexOf('/');
        if (slash < 0 || slash != text.lastIndexOf('/')) {
            throw new IllegalArgumentException("invalid credential name " + Quoted.of(text)
                    + ": expected service/profile such as anthropic/default");
        }
        return new CredentialName(text.substring(0, slash), text.substring(slash + 1));
    }

    @Override
    public String toString() {
        return service + "/" + profile;
    }

    @Override
    public int compareTo(CredentialName o) {
        return toString().compareTo(o.toString());
    }
}

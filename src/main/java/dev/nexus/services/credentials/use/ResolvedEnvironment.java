package dev.nexus.services.credentials.use;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A child's complete environment with every reference replaced by its value, and those values on
 * their own so that output can be redacted. Prints only counts: it holds secrets.
 *
 * @param env     the complete environment (not merged with anything else)
 * @param secrets the values that came from credentials or 1Password
 */
public record ResolvedEnvironment(Map<String, String> env, Set<String> secrets) {
    public ResolvedEnvironment {
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        secrets = Collections.unmodifiableSet(new LinkedHashSet<>(secrets));
    }

    @Override
    public String toString() {
        return "ResolvedEnvironment[" + env.size() + " variables, " + secrets.size() + " secret(s)]";
    }
}

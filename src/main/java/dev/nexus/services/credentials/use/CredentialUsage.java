package dev.nexus.services.credentials.use;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.CredentialName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Which services refer to which credentials, read from the catalog's environment entries. */
public final class CredentialUsage {
    private final SortedMap<CredentialName, List<String>> byCredential;

    private CredentialUsage(SortedMap<CredentialName, List<String>> byCredential) {
        this.byCredential = byCredential;
    }

    /** Malformed references are left out: they name no credential (the service reports them on start). */
    public static CredentialUsage of(Catalog catalog) {
        SortedMap<CredentialName, List<String>> map = new TreeMap<>();
        for (ServiceSpec spec : catalog.services()) {
            for (Map.Entry<String, String> e : spec.env().entrySet()) {
                if (!EnvReference.looksLikeReference(e.getValue())) {
                    continue;
                }
                try {
                    if (EnvReference.parse(e.getValue()) instanceof EnvReference.Credential c) {
                        List<String> services = map.computeIfAbsent(c.name(), n -> new ArrayList<>());
                        if (!services.contains(spec.name())) {
                            services.add(spec.name());
                        }
                    }
                } catch (IllegalArgumentException malformed) {
                    // reported where it matters: when the service starts
                }
            }
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        return new CredentialUsage(map);
    }

    /** Services that use the credential, in catalog order; empty when none does. */
    public List<String> usedBy(CredentialName name) {
        return byCredential.getOrDefault(name, List.of());
    }

    /** Every credential some service refers to, sorted by name. */
    public SortedMap<CredentialName, List<String>> all() {
        return Collections.unmodifiableSortedMap(byCredential);
    }
}

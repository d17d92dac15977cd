package dev.nexus.services.credentials.use;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.credentials.CredentialInfo;
import dev.nexus.services.credentials.CredentialName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What `credential list` and the tray show: every stored credential and every credential the catalog
 * refers to without it being stored, with who uses it. Never a value.
 */
public final class CredentialListing {
    /**
     * @param stored  false for a credential that services refer to but that is not set
     * @param backend where it is stored; null when not stored
     */
    public record Row(CredentialName name, boolean stored, String backend, Instant created, Instant updated,
                      List<String> usedBy) {
        public Row {
            usedBy = List.copyOf(usedBy);
        }
    }

    private CredentialListing() {
    }

    public static List<Row> rows(List<CredentialInfo> stored, Catalog catalog) {
        CredentialUsage usage = CredentialUsage.of(catalog);
        List<Row> rows = new ArrayList<>();
        Set<CredentialName> seen = new HashSet<>();
        for (CredentialInfo info : stored) {
            if (seen.add(info.name())) {
                rows.add(new Row(info.name(), true, info.backend(), info.created(), info.updated(),
                        usage.usedBy(info.name())));
            }
        }
        usage.all().forEach((name, services) -> {
            if (!seen.contains(name)) {
                rows.add(new Row(name, false, null, null, null, services));
            }
        });
        rows.sort(Comparator.comparing(Row::name));
        return rows;
    }
}

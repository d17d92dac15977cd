package dev.nexus.services.tray.settings;

import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.use.CredentialListing;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/**
 * One line of the Credentials tab: a stored credential, or one that services refer to but that is not set.
 * Never holds a value, so it may be printed and logged.
 *
 * @param backend the store holding it; null when it is not set
 * @param updated when it was last set; null when it is not set
 * @param usedBy  services whose environment refers to it, in catalog order
 */
public record CredentialRow(CredentialName name, boolean stored, String backend, Instant updated, List<String> usedBy) {
    static final String NOT_SET = "not set";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    public CredentialRow {
        Objects.requireNonNull(name, "name");
        usedBy = List.copyOf(usedBy);
        if (stored && (backend == null || updated == null)) {
            throw new IllegalArgumentException(name + ": a stored credential needs its backend and update time");
        }
    }

    static CredentialRow of(CredentialListing.Row row) {
        return new CredentialRow(row.name(), row.stored(), row.backend(), row.updated(), row.usedBy());
    }

    /** The Backend column: the store's id, or "not set". */
    public String backendText() {
        return stored ? backend : NOT_SET;
    }

    /** The Last updated column, in the local time zone; a dash when not set. */
    public String updatedText(ZoneId zone) {
        return stored ? WHEN.format(updated.atZone(zone)) : "—";
    }

    /** The Used by column: the services, or a dash when none uses it. */
    public String usedByText() {
        return usedBy.isEmpty() ? "—" : String.join(", ", usedBy);
    }
}

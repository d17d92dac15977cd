package dev.nexus.services.tray.model;

import dev.nexus.services.tray.NotificationType;
import java.util.List;
import java.util.Set;

/**
 * One desktop notification, possibly standing for several transitions.
 *
 * @param warning            shown as a warning (something went wrong) rather than as information
 * @param credentialServices services that wait for a credential: the notice offers "Set credential…"
 */
public record Notice(String title, String text, boolean warning, Set<NotificationType> types,
                     List<String> credentialServices) {
    public Notice {
        types = Set.copyOf(types);
        credentialServices = List.copyOf(credentialServices);
    }

    public boolean offersCredential() {
        return !credentialServices.isEmpty();
    }
}

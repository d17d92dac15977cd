package dev.nexus.services.credentials;

import dev.nexus.services.credentials.linux.LibsecretStore;
import dev.nexus.services.credentials.macos.MacKeychainStore;
import dev.nexus.services.credentials.windows.WindowsCredentialStore;
import dev.nexus.services.support.NexusPaths;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point to credentials: picks the store, keeps the index in step with it, and makes a
 * write either fully happen or not at all.
 *
 * <p>The active store is the available store with the highest priority: the OS keychain where one
 * answers, else the encrypted file. Each credential is read from the store the index says holds it,
 * so a credential set while the keychain was away is still found after it comes back.
 *
 * <p>Changes (set, remove) run under the index lock, so they are serialised across threads and
 * processes and the undo of a failed change restores exactly what this change replaced. Nothing here
 * logs or puts a secret into an exception.
 */
public final class Credentials {
    private static final Logger LOG = LoggerFactory.getLogger(Credentials.class);

    private final List<CredentialStore> stores;
    private final CredentialStore active;
    private final CredentialIndex index;
    private final Clock clock;
    private final String explanation;

    private Credentials(List<CredentialStore> stores, CredentialIndex index, Clock clock) {
        if (stores.isEmpty()) {
            throw new IllegalArgumentException("at least one credential store is needed");
        }
        this.stores = List.copyOf(stores);
        this.index = Objects.requireNonNull(index, "index");
        this.clock = Objects.requireNonNull(clock, "clock");
        List<CredentialStore> byPriority = new ArrayList<>(this.stores);
        byPriority.sort(Comparator.comparingInt(CredentialStore::priority).reversed());
        List<String> notUsed = new ArrayList<>();
        CredentialStore chosen = null;
        Availability chosenAvailability = null;
        for (CredentialStore store : byPriority) {
            Availability availability = availabilityOf(store);
            if (chosen == null && availability.available()) {
                chosen = store;
                chosenAvailability = availability;
            } else if (!availability.available()) {
                notUsed.add(store.id() + ": " + availability.reason());
            } else {
                notUsed.add(store.id() + ": available, but " + chosen.id() + " comes first");
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("no credential store is available here: " + String.join("; ", notUsed));
        }
        this.active = chosen;
        this.explanation = explain(chosen, chosenAvailability, notUsed);
    }

    /**
     * The stores of this OS plus the encrypted-file fallback under {@code paths}. {@code env} is the
     * environment to judge availability by (the session bus address on Linux); nothing is started.
     */
    public static Credentials open(NexusPaths paths, Map<String, String> env) {
        List<CredentialStore> stores = new ArrayList<>();
        stores.add(LibsecretStore.fromEnvironment(env));
        stores.add(new MacKeychainStore());
        stores.add(new WindowsCredentialStore());
        stores.add(EncryptedFileStore.at(paths));
        return new Credentials(stores, CredentialIndex.at(paths), Clock.systemUTC());
    }

    /** Explicit stores, index and clock: for tests and for tools that must use one given store. */
    public static Credentials using(List<CredentialStore> stores, CredentialIndex index, Clock clock) {
        return new Credentials(stores, index, clock);
    }

    public CredentialStore active() {
        return active;
    }

    public CredentialIndex index() {
        return index;
    }

    /** Every store considered, the active one among them (for doctor and {@code credential where}). */
    public List<CredentialStore> stores() {
        return stores;
    }

    /** Which store is active and why, and why each other store is not used. Several lines. */
    public String whereExplanation() {
        return explanation;
    }

    /**
     * The secret, from the store the index names, else from the active store. A damaged index does not
     * stop a service from starting: it holds no secrets, so the active store is asked and the damage
     * is logged (set and remove refuse until it is repaired).
     */
    public Optional<Secret> get(CredentialName name) throws CredentialException {
        Optional<CredentialInfo> info;
        try {
            info = index.find(name);
        } catch (CredentialException e) {
            if (e.reason() != CredentialException.Reason.CORRUPT) {
                throw e;
            }
            LOG.warn("Reading {} from {} without the index: {}", name, active.id(), e.getMessage());
            info = Optional.empty();
        }
        CredentialStore store = info.isPresent() ? storeHolding(info.get()) : active;
        return store.read(name);
    }

    /**
     * Creates or replaces the credential in the active store, then records it in the index. If the index
     * cannot be written, the store write is undone (the old value restored, or the new one deleted).
     */
    public void set(CredentialName name, Secret value) throws CredentialException {
        Objects.requireNonNull(value, "value");
        try (CredentialIndex.Transaction tx = index.begin()) {
            Optional<CredentialInfo> before = tx.get(name);
            Optional<Secret> previous = active.read(name);
            active.write(name, value);
            Instant now = clock.instant();
            Instant created = before.map(CredentialInfo::created).orElse(now);
            tx.put(new CredentialInfo(name, active.id(), created, now));
            try {
                tx.commit();
            } catch (CredentialException | RuntimeException e) {
                undo(name, previous, e);
                throw e;
            }
            before.filter(b -> !b.backend().equals(active.id())).ifPresent(b -> forgetStaleCopy(name, b));
        }
    }

    /** Deletes the credential from its store and the index; false when neither had it. */
    public boolean remove(CredentialName name) throws CredentialException {
        try (CredentialIndex.Transaction tx = index.begin()) {
            Optional<CredentialInfo> before = tx.get(name);
            CredentialStore store = before.isPresent() ? storeHolding(before.get()) : active;
            Optional<Secret> previous = store.read(name);
            boolean deleted = store.delete(name);
            if (tx.remove(name)) {
                try {
                    tx.commit();
                } catch (CredentialException | RuntimeException e) {
                    if (previous.isPresent()) {
                        restore(store, name, previous.get(), e);
                    }
                    throw e;
                }
                return true;
            }
            return deleted;
        }
    }

    /** Every credential the index knows, sorted by name; no secrets. */
    public List<CredentialInfo> list() throws CredentialException {
        return index.list();
    }

    private CredentialStore storeHolding(CredentialInfo info) throws CredentialException {
        if (info.backend().equals(active.id())) {
            return active;
        }
        for (CredentialStore store : stores) {
            if (store.id().equals(info.backend())) {
                Availability availability = availabilityOf(store);
                if (!availability.available()) {
                    throw new CredentialException(CredentialException.Reason.UNAVAILABLE,
                            info.name() + " is kept in " + store.id() + ", which is not available here ("
                                    + availability.reason() + "). Make it available, or set it again in "
                                    + active.id() + ": run: nexus-services credential set " + info.name());
                }
                return store;
            }
        }
        throw new CredentialException(CredentialException.Reason.UNAVAILABLE,
                info.name() + " is kept in \"" + info.backend() + "\", a store this system does not have. "
                        + "Set it again here: run: nexus-services credential set " + info.name());
    }

    private void undo(CredentialName name, Optional<Secret> previous, Exception cause) {
        if (previous.isPresent()) {
            restore(active, name, previous.get(), cause);
            return;
        }
        try {
            active.delete(name);
        } catch (CredentialException | RuntimeException undoFailure) {
            cause.addSuppressed(undoFailure);
            LOG.error("Setting {} failed and the new value could not be removed from {} again: {}",
                    name, active.id(), undoFailure.getMessage());
        }
    }

    private static void restore(CredentialStore store, CredentialName name, Secret previous, Exception cause) {
        try {
            store.write(name, previous);
        } catch (CredentialException | RuntimeException undoFailure) {
            cause.addSuppressed(undoFailure);
            LOG.error("A change to {} failed and its old value could not be restored in {}: {}",
                    name, store.id(), undoFailure.getMessage());
        }
    }

    /** After moving a credential to the active store, the copy in its old store is out of date. */
    private void forgetStaleCopy(CredentialName name, CredentialInfo before) {
        for (CredentialStore store : stores) {
            if (!store.id().equals(before.backend())) {
                continue;
            }
            Availability availability = availabilityOf(store);
            if (!availability.available()) {
                LOG.warn("{} now lives in {}; its old copy in {} stays there because that store is not available ({})",
                        name, active.id(), store.id(), availability.reason());
            } else {
                try {
                    store.delete(name);
                } catch (CredentialException | RuntimeException e) {
                    LOG.warn("{} now lives in {}; its old copy in {} could not be removed: {}",
                            name, active.id(), store.id(), e.getMessage());
                }
            }
        }
    }

    private static Availability availabilityOf(CredentialStore store) {
        if (store instanceof ExplainsAvailability explained) {
            return explained.availability();
        }
        return store.isAvailable() ? Availability.yes("available") : Availability.no("not available here");
    }

    private static String explain(CredentialStore chosen, Availability availability, List<String> notUsed) {
        StringBuilder text = new StringBuilder();
        text.append("Credentials are kept in ").append(chosen.id()).append(": ").append(chosen.description()).append('.');
        if (chosen.id().equals(EncryptedFileStore.ID)) {
            text.append("\nIt is the fallback, used because no OS keychain answered.");
        } else {
            text.append("\nIt is the highest-priority store available here: ").append(availability.reason()).append('.');
        }
        if (!notUsed.isEmpty()) {
            text.append("\nNot used:");
            for (String line : notUsed) {
                text.append("\n  - ").append(line);
            }
        }
        return text.toString();
    }
}

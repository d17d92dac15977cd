package dev.nexus.services.credentials;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test double: a credential store in memory, for facade tests that need several stores with chosen
 * ids, priorities and availability (an OS keychain that comes and goes) on one machine.
 */
final class InMemoryStoreDouble implements CredentialStore, ExplainsAvailability {
    private final String id;
    private final int priority;
    private final Map<CredentialName, Secret> values = new ConcurrentHashMap<>();
    private volatile Availability availability;

    InMemoryStoreDouble(String id, int priority, Availability availability) {
        this.id = id;
        this.priority = priority;
        this.availability = availability;
    }

    void setAvailability(Availability availability) {
        this.availability = availability;
    }

    Map<CredentialName, Secret> values() {
        return values;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return "the in-memory test double " + id;
    }

    @Override
    public boolean isAvailable() {
        return availability.available();
    }

    @Override
    public Availability availability() {
        return availability;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public Optional<Secret> read(CredentialName name) {
        return Optional.ofNullable(values.get(name));
    }

    @Override
    public void write(CredentialName name, Secret value) {
        values.put(name, value);
    }

    @Override
    public boolean delete(CredentialName name) {
        return values.remove(name) != null;
    }
}

package dev.nexus.services.credentials;

import java.util.Optional;

/**
 * One place secrets can live (an OS keychain, an encrypted file). One implementation per backend,
 * chosen at run time by OS, availability and priority. Implementations never log or put a secret in
 * an exception message, and a write either fully happens or leaves the old value.
 */
public interface CredentialStore {
    /** Stable id shown in listings and the index: "libsecret", "macos-keychain", "windows-credentials", "encrypted-file". */
    String id();

    /** For `credential where`: what it is and what protects it, in one sentence. */
    String description();

    /** Whether it can be used here, right now, without side effects (no prompts, no autolaunched daemons). */
    boolean isAvailable();

    /** Higher wins among available stores. */
    int priority();

    Optional<Secret> read(CredentialName name) throws CredentialException;

    /** Creates or replaces. */
    void write(CredentialName name, Secret value) throws CredentialException;

    /** Returns false when there was nothing to delete. */
    boolean delete(CredentialName name) throws CredentialException;
}

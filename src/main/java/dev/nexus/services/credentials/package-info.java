/**
 * Credentials: secrets named {@code service/profile}, kept in the OS keychain and resolved when a
 * service starts.
 *
 * <p>{@link dev.nexus.services.credentials.Credentials} is the entry point. It picks the highest-priority
 * available {@link dev.nexus.services.credentials.CredentialStore} — libsecret on Linux
 * ({@code linux}), the login keychain on macOS ({@code macos}), Credential Manager on Windows
 * ({@code windows}) — and falls back to {@link dev.nexus.services.credentials.EncryptedFileStore}. The
 * non-secret {@link dev.nexus.services.credentials.CredentialIndex} lists what exists and where.
 * {@link dev.nexus.services.credentials.OnePasswordReader} resolves {@code op://} references.
 *
 * <p>Native code is only ever loaded for the store of the running OS, on first use. The pure parts of
 * the macOS and Windows stores (what is asked, what an answer means) are separate from their JNA
 * bindings so they are tested on every OS.
 */
package dev.nexus.services.credentials;

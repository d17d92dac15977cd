package dev.nexus.services.credentials.macos;

/**
 * The four SecItem calls, with queries as data and OSStatus results as ints. The native implementation
 * ({@link SecurityFramework}) only translates; everything deciding what to ask and what an answer
 * means lives in {@link MacKeychainStore} and is tested against a stand-in on any OS.
 */
public interface KeychainApi {
    /** The status and, when the query asked for it and the status is 0, the item's data. */
    record CopyResult(int status, byte[] data) {
    }

    CopyResult copyMatching(KeychainQuery query);

    int add(KeychainQuery attributes);

    int update(KeychainQuery query, KeychainQuery changes);

    int delete(KeychainQuery query);
}

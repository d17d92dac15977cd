package dev.nexus.services.credentials;

import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;

/**
 * Test main for {@link CredentialsConcurrencyTest}: one writer in its own process, setting credentials
 * through {@link Credentials} with the encrypted-file store while other processes and threads do the same.
 *
 * <p>Arguments: root, writer id, number of names, number of names to rewrite.
 */
public final class ConcurrentWriterMain {
    private ConcurrentWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Credentials credentials = CredentialsConcurrencyTest.fileCredentials(new NexusPaths(Path.of(args[0])));
        int writes = CredentialsConcurrencyTest.writeAll(credentials, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        System.out.println("done " + writes);
    }
}

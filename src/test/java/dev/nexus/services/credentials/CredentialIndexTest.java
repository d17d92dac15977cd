package dev.nexus.services.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialIndexTest {
    private static final Instant T1 = Instant.parse("2025-01-02T03:04:05Z");
    private static final Instant T2 = Instant.parse("2025-02-03T04:05:06.789Z");

    @TempDir
    Path root;

    @Test
    void entriesAreSortedByNameAndRoundTrip() throws Exception {
        CredentialIndex index = CredentialIndex.at(new NexusPaths(root));
        CredentialInfo gateway = new CredentialInfo(CredentialName.parse("gateway/token"), "libsecret", T1, T2);
        CredentialInfo anthropic = new CredentialInfo(CredentialName.parse("anthropic/default"), "encrypted-file", T1, T1);
        try (CredentialIndex.Transaction tx = index.begin()) {
            tx.put(gateway);
            tx.put(anthropic);
            tx.commit();
        }

        assertEquals(root.resolve("state/credentials.json"), index.file());
        assertEquals(List.of(anthropic, gateway), index.list());
        assertEquals(Optional.of(gateway), index.find(gateway.name()));
        assertEquals(Optional.empty(), index.find(CredentialName.parse("no/such")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(index.file())));
        String json = Files.readString(index.file());
        assertTrue(json.contains("\"name\" : \"anthropic/default\""), json);
        assertTrue(json.contains("\"updated\" : \"2025-02-03T04:05:06.789Z\""), json);
    }

    @Test
    void nothingIsWrittenWithoutCommit() throws Exception {
        CredentialIndex index = CredentialIndex.at(new NexusPaths(root));
        try (CredentialIndex.Transaction tx = index.begin()) {
            tx.put(new CredentialInfo(CredentialName.parse("a/b"), "x", T1, T1));
        }
        assertFalse(Files.exists(index.file()));
        assertEquals(List.of(), index.list());
    }

    @Test
    void removeAndReplace() throws Exception {
        CredentialIndex index = CredentialIndex.at(new NexusPaths(root));
        CredentialName name = CredentialName.parse("a/b");
        try (CredentialIndex.Transaction tx = index.begin()) {
            tx.put(new CredentialInfo(name, "x", T1, T1));
            tx.commit();
        }
        try (CredentialIndex.Transaction tx = index.begin()) {
            assertTrue(tx.remove(name));
            assertFalse(tx.remove(name));
            tx.commit();
        }
        assertEquals(List.of(), index.list());
    }

    @Test
    void aDamagedIndexIsReportedWithTheFileAndTheProblem() throws Exception {
        CredentialIndex index = CredentialIndex.at(new NexusPaths(root));
        Files.createDirectories(index.file().getParent());

        Files.writeString(index.file(), "{not json");
        assertCorrupt(index, "is not valid JSON");
        Files.writeString(index.file(), "{\"version\": 7, \"credentials\": []}");
        assertCorrupt(index, "unsupported \"version\": 7");
        Files.writeString(index.file(), "{\"version\": 1, \"credentials\": [{\"name\": \"Bad Name\", \"backend\": \"x\", "
                + "\"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\"}]}");
        assertCorrupt(index, "credentials[0]: invalid credential name");
        Files.writeString(index.file(), "{\"version\": 1, \"credentials\": [{\"name\": \"a/b\", \"backend\": \"x\", "
                + "\"created\": \"yesterday\", \"updated\": \"2025-01-01T00:00:00Z\"}]}");
        assertCorrupt(index, "credentials[0]:");
        String damaged = Files.readString(index.file());

        assertThrows(CredentialException.class, index::begin);
        assertEquals(damaged, Files.readString(index.file()), "a damaged index is not overwritten");
    }

    private static void assertCorrupt(CredentialIndex index, String expected) {
        CredentialException e = assertThrows(CredentialException.class, index::list);
        assertEquals(CredentialException.Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains(index.file().toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("holds no secrets"), e.getMessage());
    }
}

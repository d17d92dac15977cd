package dev.nexus.services.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.support.NexusPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
    private static final CredentialName ANTHROPIC = CredentialName.parse("anthropic/default");
    private static final CredentialName GATEWAY = CredentialName.parse("gateway/token");

    @TempDir
    Path root;

    /** A clock the test moves by hand. */
    private static final class StepClock extends Clock {
        private Instant now = Instant.parse("2025-05-01T10:00:00Z");

        void advanceSeconds(long seconds) {
            now = now.plusSeconds(seconds);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void openWithoutASessionBusOnLinuxUsesTheEncryptedFileAndSaysWhy() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(HostOs.CURRENT == HostOs.LINUX);
        Credentials credentials = Credentials.open(new NexusPaths(root), Map.of());

        assertEquals(EncryptedFileStore.ID, credentials.active().id());
        String where = credentials.whereExplanation();
        assertTrue(where.startsWith("Credentials are kept in encrypted-file"), where);
        assertTrue(where.contains(EncryptedFileStore.PROTECTION), where);
        assertTrue(where.contains("\nIt is the fallback, used because no OS keychain answered.\nNot used:"), where);
        assertTrue(where.contains("libsecret: DBUS_SESSION_BUS_ADDRESS is not set"), where);
        assertTrue(where.contains("macos-keychain: only on macOS"), where);
        assertTrue(where.contains("windows-credentials: only on Windows"), where);

        credentials.set(ANTHROPIC, Secret.of("sk-ant-through-open"));
        assertEquals("sk-ant-through-open", credentials.get(ANTHROPIC).orElseThrow().reveal());
        assertTrue(Files.exists(root.resolve("state/credentials.enc")));
    }

    @Test
    void setGetListRemoveKeepTheIndexInStep() throws Exception {
        StepClock clock = new StepClock();
        Credentials credentials = fileOnly(clock);

        credentials.set(GATEWAY, Secret.of("gateway-token-1"));
        Instant created = clock.instant();
        clock.advanceSeconds(60);
        credentials.set(ANTHROPIC, Secret.of("sk-ant-1"));
        clock.advanceSeconds(60);
        credentials.set(GATEWAY, Secret.of("gateway-token-2"));

        assertEquals(List.of(
                new CredentialInfo(ANTHROPIC, EncryptedFileStore.ID, created.plusSeconds(60), created.plusSeconds(60)),
                new CredentialInfo(GATEWAY, EncryptedFileStore.ID, created, created.plusSeconds(120))), credentials.list());
        assertEquals(Optional.of(Secret.of("gateway-token-2")), credentials.get(GATEWAY));
        assertEquals(Optional.empty(), credentials.get(CredentialName.parse("never/set")));
        String index = Files.readString(root.resolve("state/credentials.json"));
        assertFalse(index.contains("gateway-token"), "the index holds no secrets");

        assertTrue(credentials.remove(GATEWAY));
        assertFalse(credentials.remove(GATEWAY));
        assertEquals(Optional.empty(), credentials.get(GATEWAY));
        assertEquals(List.of(ANTHROPIC), credentials.list().stream().map(CredentialInfo::name).toList());
    }

    @Test
    void theHighestPriorityAvailableStoreIsActiveAndTheOthersAreExplained() throws Exception {
        InMemoryStoreDouble keychain = new InMemoryStoreDouble("keychain", 100, Availability.no("the keychain is away"));
        InMemoryStoreDouble other = new InMemoryStoreDouble("other", 50, Availability.yes("here"));
        Credentials credentials = Credentials.using(List.of(keychain, other, EncryptedFileStore.at(new NexusPaths(root))),
                CredentialIndex.at(new NexusPaths(root)), Clock.systemUTC());

        assertEquals("other", credentials.active().id());
        String where = credentials.whereExplanation();
        assertTrue(where.startsWith("Credentials are kept in other: the in-memory test double other.\n"
                + "It is the highest-priority store available here: here.\nNot used:"), where);
        assertTrue(where.contains("keychain: the keychain is away"), where);
        assertTrue(where.contains("encrypted-file: available, but other comes first"), where);
    }

    @Test
    void aCredentialIsReadFromTheStoreThatHoldsItAndMovesOnTheNextSet() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        InMemoryStoreDouble keychain = new InMemoryStoreDouble("keychain", 100, Availability.no("locked away"));
        EncryptedFileStore file = EncryptedFileStore.at(paths);
        Credentials whileAway = Credentials.using(List.of(keychain, file), CredentialIndex.at(paths), Clock.systemUTC());
        whileAway.set(ANTHROPIC, Secret.of("kept-in-the-file"));

        keychain.setAvailability(Availability.yes("back"));
        Credentials back = Credentials.using(List.of(keychain, file), CredentialIndex.at(paths), Clock.systemUTC());
        assertEquals("keychain", back.active().id());
        assertEquals("kept-in-the-file", back.get(ANTHROPIC).orElseThrow().reveal(), "read where the index says it is");

        back.set(ANTHROPIC, Secret.of("now-in-the-keychain"));
        assertEquals(Secret.of("now-in-the-keychain"), keychain.values().get(ANTHROPIC));
        assertEquals(Optional.empty(), file.read(ANTHROPIC), "the stale copy in the old store is removed");
        assertEquals("keychain", back.list().get(0).backend());
    }

    @Test
    void aCredentialInAStoreThatIsNotAvailableSaysSoAndHowToFixIt() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        InMemoryStoreDouble keychain = new InMemoryStoreDouble("keychain", 100, Availability.yes("here"));
        EncryptedFileStore file = EncryptedFileStore.at(paths);
        Credentials.using(List.of(keychain, file), CredentialIndex.at(paths), Clock.systemUTC())
                .set(ANTHROPIC, Secret.of("in-the-keychain"));
        keychain.setAvailability(Availability.no("the keyring daemon is not running"));
        Credentials later = Credentials.using(List.of(keychain, file), CredentialIndex.at(paths), Clock.systemUTC());

        CredentialException e = assertThrows(CredentialException.class, () -> later.get(ANTHROPIC));
        assertEquals(CredentialException.Reason.UNAVAILABLE, e.reason());
        assertEquals("anthropic/default is kept in keychain, which is not available here (the keyring daemon is not "
                + "running). Make it available, or set it again in encrypted-file: run: nexus-services credential set "
                + "anthropic/default", e.getMessage());

        Credentials elsewhere = Credentials.using(List.of(file), CredentialIndex.at(paths), Clock.systemUTC());
        CredentialException unknown = assertThrows(CredentialException.class, () -> elsewhere.get(ANTHROPIC));
        assertTrue(unknown.getMessage().contains("a store this system does not have"), unknown.getMessage());
    }

    @Test
    void aFailedIndexUpdateUndoesANewStoreWrite() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        EncryptedFileStore file = EncryptedFileStore.at(paths);
        Credentials credentials = Credentials.using(List.of(file), unwritableIndex(), Clock.systemUTC());

        CredentialException e = assertThrows(CredentialException.class, () -> credentials.set(ANTHROPIC, Secret.of("half-done")));
        assertTrue(e.getMessage().startsWith("cannot write the credential index"), e.getMessage());
        assertEquals(Optional.empty(), file.read(ANTHROPIC), "the new value is taken back out of the store");
    }

    @Test
    void aFailedIndexUpdateRestoresTheOldValue() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        EncryptedFileStore file = EncryptedFileStore.at(paths);
        file.write(ANTHROPIC, Secret.of("the-old-value"));
        Credentials credentials = Credentials.using(List.of(file), unwritableIndex(), Clock.systemUTC());

        assertThrows(CredentialException.class, () -> credentials.set(ANTHROPIC, Secret.of("the-new-value")));
        assertEquals("the-old-value", file.read(ANTHROPIC).orElseThrow().reveal());
    }

    @Test
    void aFailedIndexUpdateOnRemovePutsTheValueBack() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        EncryptedFileStore file = EncryptedFileStore.at(paths);
        CredentialIndex index = CredentialIndex.at(paths);
        Credentials.using(List.of(file), index, Clock.systemUTC()).set(ANTHROPIC, Secret.of("keep-me"));
        CredentialIndex unwritable = unwritableIndex();
        Files.copy(index.file(), unwritable.file());
        Credentials credentials = Credentials.using(List.of(file), unwritable, Clock.systemUTC());

        assertThrows(CredentialException.class, () -> credentials.remove(ANTHROPIC));
        assertEquals("keep-me", file.read(ANTHROPIC).orElseThrow().reveal(), "the deleted value is put back");
        assertEquals(List.of(ANTHROPIC), unwritable.list().stream().map(CredentialInfo::name).toList());
    }

    @Test
    void aDamagedIndexDoesNotStopReadsButStopsChanges() throws Exception {
        Credentials credentials = fileOnly(Clock.systemUTC());
        credentials.set(ANTHROPIC, Secret.of("still-readable"));
        Files.writeString(root.resolve("state/credentials.json"), "{damaged");

        assertEquals("still-readable", credentials.get(ANTHROPIC).orElseThrow().reveal());
        assertEquals(CredentialException.Reason.CORRUPT,
                assertThrows(CredentialException.class, () -> credentials.set(GATEWAY, Secret.of("x"))).reason());
        assertEquals(CredentialException.Reason.CORRUPT, assertThrows(CredentialException.class, credentials::list).reason());
        assertEquals(Optional.empty(), EncryptedFileStore.at(new NexusPaths(root)).read(GATEWAY), "nothing was half-set");
    }

    @Test
    void messagesNeverCarryTheSecret() throws Exception {
        Credentials credentials = Credentials.using(List.of(EncryptedFileStore.at(new NexusPaths(root))), unwritableIndex(),
                Clock.systemUTC());
        CredentialException e = assertThrows(CredentialException.class,
                () -> credentials.set(ANTHROPIC, Secret.of("sk-ant-never-in-a-message")));
        StringBuilder all = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            all.append(t.getMessage());
        }
        for (Throwable s : e.getSuppressed()) {
            all.append(s.getMessage());
        }
        assertFalse(all.toString().contains("sk-ant-never"), all.toString());
    }

    private Credentials fileOnly(Clock clock) {
        NexusPaths paths = new NexusPaths(root);
        return Credentials.using(List.of(EncryptedFileStore.at(paths)), CredentialIndex.at(paths), clock);
    }

    /**
     * An index that can be read but not written, on a real file system: its name is so long that the
     * temporary file of an atomic write ("." + name + random digits + ".tmp") exceeds the 255-byte
     * limit for a file name, while the name itself (and its ".lock" sibling) still fits.
     */
    private CredentialIndex unwritableIndex() throws Exception {
        Path file = Files.createDirectories(root.resolve("state")).resolve("i".repeat(240) + ".json");
        return new CredentialIndex(file);
    }
}

package dev.nexus.services.credentials.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.Availability;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.HostOs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libsecret store against a real Secret Service: a private dbus-daemon and gnome-keyring-daemon
 * ({@link PrivateSecretService}), and the store running in a child JVM whose environment names that
 * bus ({@link RemoteStore}). Cross-checked with {@code secret-tool} on the same bus.
 */
class LibsecretStoreTest {
    @TempDir
    static Path sharedDir;

    private static PrivateSecretService keyring;
    private static RemoteStore store;

    @BeforeAll
    static void startKeyring() throws Exception {
        Assumptions.assumeTrue(HostOs.CURRENT == HostOs.LINUX, "libsecret is the Linux store");
        Assumptions.assumeTrue(PrivateSecretService.toolsInstalled(),
                "dbus-daemon, gnome-keyring-daemon, secret-tool and dbus-send are needed (scripts/test installs them)");
        keyring = PrivateSecretService.start(sharedDir, PrivateSecretService.Keyring.UNLOCKED_LOGIN);
        store = RemoteStore.start(Files.createDirectories(sharedDir.resolve("client")), keyring.address());
    }

    @AfterAll
    static void stopKeyring() throws Exception {
        if (store != null) {
            store.close();
        }
        if (keyring != null) {
            keyring.close();
        }
    }

    @Test
    void availableOnABusWithAnUnlockedKeyring() throws Exception {
        RemoteStore.Availability availability = store.availability();
        assertTrue(availability.available(), availability.reason());
        assertTrue(availability.reason().contains("\"Login\" is unlocked"), availability.reason());
    }

    @Test
    void roundTripAndSecretToolSeesTheSameItem() throws Exception {
        store.write("anthropic/default", "sk-ant-round-trip-0123456789");

        assertEquals(Optional.of("sk-ant-round-trip-0123456789"), store.read("anthropic/default"));
        PrivateSecretService.Result lookup = keyring.secretTool(null, "lookup", "service", "anthropic", "account", "default");
        assertEquals(0, lookup.exit(), lookup.stderr());
        assertEquals("sk-ant-round-trip-0123456789", lookup.stdout().strip());
        PrivateSecretService.Result search = keyring.secretTool(null, "search", "--all", "service", "anthropic", "account", "default");
        String described = search.stdout() + search.stderr();
        assertTrue(described.contains("label = Nexus credential anthropic/default"), described);
        assertTrue(described.contains("schema = " + LibsecretStore.SCHEMA_NAME), described);
        assertTrue(described.contains("attribute.service = anthropic"), described);
        assertTrue(described.contains("attribute.account = default"), described);
    }

    @Test
    void readsAnItemThatSecretToolStoredWithTheSchema() throws Exception {
        PrivateSecretService.Result stored = keyring.secretTool("stored-by-secret-tool", "store", "--label=by hand",
                "xdg:schema", LibsecretStore.SCHEMA_NAME, "service", "gateway", "account", "token");
        assertEquals(0, stored.exit(), stored.stderr());

        assertEquals(Optional.of("stored-by-secret-tool"), store.read("gateway/token"));
    }

    @Test
    void anItemOfAnotherApplicationWithTheSameAttributesIsNotTouched() throws Exception {
        PrivateSecretService.Result stored = keyring.secretTool("someone-elses", "store", "--label=other app",
                "service", "other-app", "account", "default");
        assertEquals(0, stored.exit(), stored.stderr());

        assertEquals(Optional.empty(), store.read("other-app/default"));
        assertFalse(store.delete("other-app/default"));
        assertEquals("someone-elses",
                keyring.secretTool(null, "lookup", "service", "other-app", "account", "default").stdout().strip());
    }

    @Test
    void unicodeValuesSurviveByteForByte() throws Exception {
        String value = "pässwörd 🔑 日本語 e\u0301 end";
        store.write("unicode/default", value);

        assertEquals(Optional.of(value), store.read("unicode/default"));
        assertEquals(value, keyring.secretTool(null, "lookup", "service", "unicode", "account", "default").stdout().strip());
    }

    @Test
    void overwriteReplacesTheItemInsteadOfAddingOne() throws Exception {
        store.write("nexus-cloud/default", "first-value");
        store.write("nexus-cloud/default", "second-value");

        assertEquals(Optional.of("second-value"), store.read("nexus-cloud/default"));
        String search = keyring.secretTool(null, "search", "--all", "service", "nexus-cloud", "account", "default").stdout();
        assertEquals(1, search.lines().filter(line -> line.startsWith("[/")).count(), search);
    }

    @Test
    void deleteRemovesTheItemAndSaysWhetherThereWasOne() throws Exception {
        store.write("to-delete/default", "short-lived");

        assertTrue(store.delete("to-delete/default"));
        assertEquals(Optional.empty(), store.read("to-delete/default"));
        assertFalse(store.delete("to-delete/default"));
        assertNotEquals(0, keyring.secretTool(null, "lookup", "service", "to-delete", "account", "default").exit());
    }

    @Test
    void aNameThatWasNeverSetReadsAsAbsent() throws Exception {
        assertEquals(Optional.empty(), store.read("never/set"));
    }

    @Test
    void theFacadePicksLibsecretWhenTheSessionBusHasAKeyring(@TempDir Path root) throws Exception {
        assertEquals(LibsecretStore.ID, store.facadeSet(root, "facade/default", "through-the-facade"));

        assertEquals(Optional.of("through-the-facade"), store.facadeGet(root, "facade/default"));
        assertEquals("facade/default=libsecret", store.facadeList(root));
        String where = store.facadeWhere(root);
        assertTrue(where.startsWith("Credentials are kept in libsecret"), where);
        assertTrue(where.contains("It is the highest-priority store available here: a Secret Service is running on the "
                + "session bus at " + keyring.address() + "; its default keyring \"Login\" is unlocked."), where);
        assertTrue(where.contains("encrypted-file: available, but libsecret comes first"), where);
        assertEquals("through-the-facade",
                keyring.secretTool(null, "lookup", "service", "facade", "account", "default").stdout().strip());
        String index = Files.readString(root.resolve("state/credentials.json"));
        assertFalse(index.contains("through-the-facade"), "the index never holds a secret");
        assertFalse(Files.exists(root.resolve("state/credentials.enc")), "nothing went to the fallback file");
    }

    @Test
    void aLockedLoginKeyringGivesLockedWithWhatToDo(@TempDir Path dir) throws Exception {
        try (PrivateSecretService locking = PrivateSecretService.start(dir, PrivateSecretService.Keyring.UNLOCKED_LOGIN);
             RemoteStore lockedStore = RemoteStore.start(dir, locking.address())) {
            lockedStore.write("anthropic/default", "written-before-locking");
            locking.lockLogin();

            CredentialException onRead = assertThrows(CredentialException.class, () -> lockedStore.read("anthropic/default"));
            assertEquals(CredentialException.Reason.LOCKED, onRead.reason());
            assertTrue(onRead.getMessage().startsWith("cannot read anthropic/default from the Secret Service"), onRead.getMessage());
            assertTrue(onRead.getMessage().contains("\"Login\" is locked"), onRead.getMessage());
            assertTrue(onRead.getMessage().contains("unlock your login keyring"), onRead.getMessage());
            assertFalse(onRead.getMessage().contains("written-before-locking"));

            CredentialException onWrite = assertThrows(CredentialException.class,
                    () -> lockedStore.write("anthropic/default", "while-locked"));
            assertEquals(CredentialException.Reason.LOCKED, onWrite.reason());
            CredentialException onDelete = assertThrows(CredentialException.class, () -> lockedStore.delete("anthropic/default"));
            assertEquals(CredentialException.Reason.LOCKED, onDelete.reason());

            RemoteStore.Availability availability = lockedStore.availability();
            assertTrue(availability.available(), "a locked keyring is still where credentials live: " + availability.reason());
            assertTrue(availability.reason().contains("is locked"), availability.reason());
        }
    }

    @Test
    void aKeyringThatStopsAnsweringRunsIntoTheDeadlineInsteadOfHanging(@TempDir Path dir) throws Exception {
        try (PrivateSecretService hanging = PrivateSecretService.start(dir, PrivateSecretService.Keyring.UNLOCKED_LOGIN);
             RemoteStore impatient = RemoteStore.withTimeout(dir, hanging.address(), 2)) {
            impatient.write("anthropic/default", "before-the-hang");
            hanging.pauseKeyring();
            long start = System.nanoTime();

            CredentialException e = assertThrows(CredentialException.class, () -> impatient.read("anthropic/default"));

            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertEquals(CredentialException.Reason.LOCKED, e.reason());
            assertTrue(e.getMessage().contains("did not finish within 2 s"), e.getMessage());
            assertTrue(seconds < 10, "gave up after " + seconds + " s, not at GDBus's 25 s or never");
            hanging.resumeKeyring();
            assertEquals(Optional.of("before-the-hang"), impatient.read("anthropic/default"), "the store works again afterwards");
        }
    }

    @Test
    void aKeyringWithoutLoginCollectionGivesLockedWithWhatToDo(@TempDir Path dir) throws Exception {
        try (PrivateSecretService bare = PrivateSecretService.start(dir, PrivateSecretService.Keyring.NO_LOGIN_COLLECTION);
             RemoteStore bareStore = RemoteStore.start(dir, bare.address())) {
            CredentialException onWrite = assertThrows(CredentialException.class,
                    () -> bareStore.write("anthropic/default", "nowhere-to-go"));
            assertEquals(CredentialException.Reason.LOCKED, onWrite.reason());
            assertTrue(onWrite.getMessage().contains("there is no default keyring"), onWrite.getMessage());
            CredentialException onRead = assertThrows(CredentialException.class, () -> bareStore.read("anthropic/default"));
            assertEquals(CredentialException.Reason.LOCKED, onRead.reason());
        }
    }

    @Test
    void aBusWithoutSecretServiceIsNotAvailableAndNothingIsActivated(@TempDir Path dir) throws Exception {
        try (PrivateSecretService busOnly = PrivateSecretService.start(dir, PrivateSecretService.Keyring.NONE);
             RemoteStore noService = RemoteStore.start(dir, busOnly.address())) {
            RemoteStore.Availability availability = noService.availability();
            assertFalse(availability.available());
            assertTrue(availability.reason().contains("no Secret Service"), availability.reason());
            CredentialException e = assertThrows(CredentialException.class, () -> noService.write("a/b", "value"));
            assertEquals(CredentialException.Reason.UNAVAILABLE, e.reason());
            // The bus could D-Bus-activate gnome-keyring (its service file is installed): the store must not make it.
            assertFalse(busOnly.secretServiceOwned(), "checking must not activate a Secret Service");
        }
    }

    @Test
    void aBusThatIsNotThereIsNotAvailable(@TempDir Path dir) throws Exception {
        try (RemoteStore gone = RemoteStore.start(dir, "unix:path=" + dir.resolve("no-such-bus"))) {
            RemoteStore.Availability availability = gone.availability();
            assertFalse(availability.available());
            assertTrue(availability.reason().contains("cannot connect to the session bus"), availability.reason());
        }
    }

    @Test
    void noBusAddressIsNotAvailableWithoutLoadingAnything(@TempDir Path dir) throws Exception {
        try (RemoteStore noBus = RemoteStore.start(dir, null)) {
            RemoteStore.Availability availability = noBus.availability();
            assertFalse(availability.available());
            assertTrue(availability.reason().contains("DBUS_SESSION_BUS_ADDRESS is not set"), availability.reason());
            CredentialException e = assertThrows(CredentialException.class, () -> noBus.read("a/b"));
            assertEquals(CredentialException.Reason.UNAVAILABLE, e.reason());
        }
    }

    @Test
    void anAddressThatIsNotThisProcesssBusIsNotAvailable() {
        LibsecretStore elsewhere = new LibsecretStore("unix:path=/elsewhere/bus", null, Duration.ofSeconds(1), HostOs.LINUX);

        Availability availability = elsewhere.availability();
        assertFalse(availability.available());
        assertTrue(availability.reason().contains("can only use this process's own session bus"), availability.reason());
        assertFalse(LibsecretStore.fromEnvironment(Map.of()).isAvailable());
    }

    @Test
    void otherSystemsNeverTouchLibsecret() {
        LibsecretStore onMac = new LibsecretStore("unix:path=/bus", "unix:path=/bus", Duration.ofSeconds(1), HostOs.MACOS);
        assertEquals(Availability.no("only on Linux"), onMac.availability());
        CredentialException e = assertThrows(CredentialException.class, () -> onMac.read(CredentialName.parse("a/b")));
        assertEquals(CredentialException.Reason.UNAVAILABLE, e.reason());
    }
}

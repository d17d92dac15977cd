package dev.nexus.services.credentials.windows;

import dev.nexus.services.credentials.Availability;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.ExplainsAvailability;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.credentials.NativeBinding;
import dev.nexus.services.credentials.Secret;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Windows: generic credentials in Credential Manager (CredWriteW / CredReadW / CredDeleteW /
 * CredEnumerateW), named as {@link WindowsCredentialMapping} says.
 *
 * <p>Advapi32 is bound on first use and only on Windows: elsewhere this class is plain Java and
 * {@link #isAvailable()} is false without touching any native library.
 */
public final class WindowsCredentialStore implements CredentialStore, ExplainsAvailability {
    public static final String ID = "windows-credentials";
    private static final int PRIORITY = 100;

    private final NativeBinding<CredentialManagerApi> api;

    /** The real Credential Manager on Windows; unavailable elsewhere. */
    public WindowsCredentialStore() {
        this(HostOs.CURRENT, null);
    }

    /** With a given implementation of the Cred* calls (a test double on other systems). */
    public WindowsCredentialStore(CredentialManagerApi api) {
        this(HostOs.WINDOWS, api);
    }

    private WindowsCredentialStore(HostOs os, CredentialManagerApi api) {
        this.api = new NativeBinding<>(os, HostOs.WINDOWS, "Advapi32", "Windows Credential Manager is only used on Windows",
                () -> Advapi32Credentials.load(), api);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Windows Credential Manager (generic credentials named nexus:<service>/<profile>), "
                + "protected by your Windows account";
    }

    @Override
    public boolean isAvailable() {
        return availability().available();
    }

    @Override
    public Availability availability() {
        return api.availability("only on Windows", "Credential Manager (Advapi32) is reachable");
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Optional<Secret> read(CredentialName name) throws CredentialException {
        String action = "cannot read " + name + " from Windows Credential Manager";
        byte[] blob = null;
        try {
            blob = api.get().read(WindowsCredentialMapping.targetName(name));
            return blob == null ? Optional.empty() : Optional.of(WindowsCredentialMapping.secret(name, blob));
        } catch (CredentialManagerApi.Win32Error e) {
            throw WindowsCredentialMapping.toException(e.code(), action);
        } finally {
            if (blob != null) {
                Arrays.fill(blob, (byte) 0);
            }
        }
    }

    @Override
    public void write(CredentialName name, Secret value) throws CredentialException {
        byte[] blob = WindowsCredentialMapping.blob(name, value);
        try {
            api.get().write(WindowsCredentialMapping.targetName(name), name.profile(), WindowsCredentialMapping.comment(name), blob);
        } catch (CredentialManagerApi.Win32Error e) {
            throw WindowsCredentialMapping.toException(e.code(), "cannot store " + name + " in Windows Credential Manager");
        } finally {
            Arrays.fill(blob, (byte) 0);
        }
    }

    @Override
    public boolean delete(CredentialName name) throws CredentialException {
        try {
            return api.get().delete(WindowsCredentialMapping.targetName(name));
        } catch (CredentialManagerApi.Win32Error e) {
            throw WindowsCredentialMapping.toException(e.code(), "cannot remove " + name + " from Windows Credential Manager");
        }
    }

    /** The names of all our credentials in Credential Manager (targets {@code nexus:*}); foreign targets are skipped. */
    public List<CredentialName> names() throws CredentialException {
        try {
            TreeSet<CredentialName> names = new TreeSet<>();
            for (String target : api.get().enumerate(WindowsCredentialMapping.ENUMERATE_FILTER)) {
                WindowsCredentialMapping.nameOf(target).ifPresent(names::add);
            }
            return List.copyOf(names);
        } catch (CredentialManagerApi.Win32Error e) {
            throw WindowsCredentialMapping.toException(e.code(), "cannot list the credentials in Windows Credential Manager");
        }
    }

}

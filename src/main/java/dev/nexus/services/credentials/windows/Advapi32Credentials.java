package dev.nexus.services.credentials.windows;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import java.util.ArrayList;
import java.util.List;

/**
 * The native side of {@link CredentialManagerApi}: the wide-character Cred* functions of Advapi32,
 * bound through JNA (jna-platform has no binding for them). Only ever loaded on Windows, by
 * {@link WindowsCredentialStore}. Every buffer Windows returns is released with CredFree.
 */
final class Advapi32Credentials implements CredentialManagerApi {
    static final int CRED_TYPE_GENERIC = 1;
    /** Survives logoff and reboot on this machine; unlike ENTERPRISE it does not roam to other machines. */
    static final int CRED_PERSIST_LOCAL_MACHINE = 2;

    private final Advapi32 advapi32;

    private Advapi32Credentials() {
        this.advapi32 = Native.load("Advapi32", Advapi32.class);
    }

    static Advapi32Credentials load() {
        return new Advapi32Credentials();
    }

    interface Advapi32 extends StdCallLibrary {
        boolean CredReadW(WString targetName, int type, int flags, PointerByReference credential);

        boolean CredWriteW(Credential credential, int flags);

        boolean CredDeleteW(WString targetName, int type, int flags);

        boolean CredEnumerateW(WString filter, int flags, IntByReference count, PointerByReference credentials);

        void CredFree(Pointer buffer);
    }

    /** CREDENTIALW. */
    @Structure.FieldOrder({"Flags", "Type", "TargetName", "Comment", "LastWrittenLow", "LastWrittenHigh",
        "CredentialBlobSize", "CredentialBlob", "Persist", "AttributeCount", "Attributes", "TargetAlias", "UserName"})
    public static class Credential extends Structure {
        public int Flags;
        public int Type;
        public WString TargetName;
        public WString Comment;
        public int LastWrittenLow;
        public int LastWrittenHigh;
        public int CredentialBlobSize;
        public Pointer CredentialBlob;
        public int Persist;
        public int AttributeCount;
        public Pointer Attributes;
        public WString TargetAlias;
        public WString UserName;

        public Credential() {
            super();
        }

        public Credential(Pointer memory) {
            super(memory);
            read();
        }
    }

    @Override
    public synchronized byte[] read(String target) throws Win32Error {
        PointerByReference result = new PointerByReference();
        if (!advapi32.CredReadW(new WString(target), CRED_TYPE_GENERIC, 0, result)) {
            int error = Native.getLastError();
            if (error == WindowsCredentialMapping.ERROR_NOT_FOUND) {
                return null;
            }
            throw new Win32Error("CredReadW", error);
        }
        Pointer buffer = result.getValue();
        try {
            Credential credential = new Credential(buffer);
            if (credential.CredentialBlobSize == 0 || credential.CredentialBlob == null) {
                return new byte[0];
            }
            return credential.CredentialBlob.getByteArray(0, credential.CredentialBlobSize);
        } finally {
            advapi32.CredFree(buffer);
        }
    }

    @Override
    public synchronized void write(String target, String userName, String comment, byte[] blob) throws Win32Error {
        Memory blobMemory = new Memory(Math.max(1, blob.length));
        try {
            blobMemory.write(0, blob, 0, blob.length);
            Credential credential = new Credential();
            credential.Type = CRED_TYPE_GENERIC;
            credential.TargetName = new WString(target);
            credential.Comment = new WString(comment);
            credential.UserName = new WString(userName);
            credential.CredentialBlobSize = blob.length;
            credential.CredentialBlob = blobMemory;
            credential.Persist = CRED_PERSIST_LOCAL_MACHINE;
            credential.write();
            if (!advapi32.CredWriteW(credential, 0)) {
                throw new Win32Error("CredWriteW", Native.getLastError());
            }
        } finally {
            blobMemory.clear();
            blobMemory.close();
        }
    }

    @Override
    public synchronized boolean delete(String target) throws Win32Error {
        if (advapi32.CredDeleteW(new WString(target), CRED_TYPE_GENERIC, 0)) {
            return true;
        }
        int error = Native.getLastError();
        if (error == WindowsCredentialMapping.ERROR_NOT_FOUND) {
            return false;
        }
        throw new Win32Error("CredDeleteW", error);
    }

    @Override
    public synchronized List<String> enumerate(String filter) throws Win32Error {
        IntByReference count = new IntByReference();
        PointerByReference array = new PointerByReference();
        if (!advapi32.CredEnumerateW(new WString(filter), 0, count, array)) {
            int error = Native.getLastError();
            if (error == WindowsCredentialMapping.ERROR_NOT_FOUND) {
                return List.of();
            }
            throw new Win32Error("CredEnumerateW", error);
        }
        Pointer buffer = array.getValue();
        try {
            List<String> targets = new ArrayList<>();
            for (Pointer entry : buffer.getPointerArray(0, count.getValue())) {
                Credential credential = new Credential(entry);
                if (credential.Type == CRED_TYPE_GENERIC && credential.TargetName != null) {
                    targets.add(credential.TargetName.toString());
                }
            }
            return targets;
        } finally {
            advapi32.CredFree(buffer);
        }
    }
}

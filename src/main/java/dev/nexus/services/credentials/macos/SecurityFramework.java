package dev.nexus.services.credentials.macos;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The native side of {@link KeychainApi}: turns a {@link KeychainQuery} into a CFDictionary and calls
 * SecItem*. Only ever loaded on macOS, by {@link MacKeychainStore}. Every CF object created here is
 * released before the call returns; data copied out of a result is the caller's to clear.
 */
final class SecurityFramework implements KeychainApi {
    private final CoreFoundation cf;
    private final Security security;
    private final NativeLibrary securityLibrary;
    private final NativeLibrary cfLibrary;
    private final Map<String, Pointer> constants = new HashMap<>();

    private SecurityFramework() {
        this.cfLibrary = NativeLibrary.getInstance("CoreFoundation");
        this.securityLibrary = NativeLibrary.getInstance("Security");
        this.cf = Native.load("CoreFoundation", CoreFoundation.class);
        this.security = Native.load("Security", Security.class);
    }

    static SecurityFramework load() {
        return new SecurityFramework();
    }

    interface CoreFoundation extends Library {
        Pointer CFDictionaryCreateMutable(Pointer allocator, NativeLong capacity, Pointer keyCallBacks, Pointer valueCallBacks);

        void CFDictionarySetValue(Pointer dictionary, Pointer key, Pointer value);

        Pointer CFStringCreateWithCharacters(Pointer allocator, char[] chars, NativeLong length);

        Pointer CFDataCreate(Pointer allocator, byte[] bytes, NativeLong length);

        NativeLong CFDataGetLength(Pointer data);

        Pointer CFDataGetBytePtr(Pointer data);

        NativeLong CFGetTypeID(Pointer object);

        NativeLong CFDataGetTypeID();

        void CFRelease(Pointer object);
    }

    interface Security extends Library {
        int SecItemAdd(Pointer attributes, PointerByReference result);

        int SecItemCopyMatching(Pointer query, PointerByReference result);

        int SecItemUpdate(Pointer query, Pointer attributesToUpdate);

        int SecItemDelete(Pointer query);
    }

    @Override
    public synchronized CopyResult copyMatching(KeychainQuery query) {
        try (Dictionary dictionary = dictionary(query)) {
            PointerByReference result = new PointerByReference();
            int status = security.SecItemCopyMatching(dictionary.pointer, result);
            Pointer value = result.getValue();
            if (value == null) {
                return new CopyResult(status, null);
            }
            try {
                if (!cf.CFGetTypeID(value).equals(cf.CFDataGetTypeID())) {
                    return new CopyResult(status, null);
                }
                int length = Math.toIntExact(cf.CFDataGetLength(value).longValue());
                byte[] data = length == 0 ? new byte[0] : cf.CFDataGetBytePtr(value).getByteArray(0, length);
                return new CopyResult(status, data);
            } finally {
                cf.CFRelease(value);
            }
        }
    }

    @Override
    public synchronized int add(KeychainQuery attributes) {
        try (Dictionary dictionary = dictionary(attributes)) {
            return security.SecItemAdd(dictionary.pointer, null);
        }
    }

    @Override
    public synchronized int update(KeychainQuery query, KeychainQuery changes) {
        try (Dictionary which = dictionary(query); Dictionary what = dictionary(changes)) {
            return security.SecItemUpdate(which.pointer, what.pointer);
        }
    }

    @Override
    public synchronized int delete(KeychainQuery query) {
        try (Dictionary dictionary = dictionary(query)) {
            return security.SecItemDelete(dictionary.pointer);
        }
    }

    /** A CFMutableDictionary and the CF values created for it; all released on close. */
    private final class Dictionary implements AutoCloseable {
        final Pointer pointer;
        final List<Pointer> owned = new ArrayList<>();

        Dictionary(Pointer pointer) {
            this.pointer = pointer;
        }

        @Override
        public void close() {
            owned.forEach(cf::CFRelease);
            cf.CFRelease(pointer);
        }
    }

    private Dictionary dictionary(KeychainQuery query) {
        Pointer dict = cf.CFDictionaryCreateMutable(null, new NativeLong(0),
                cfLibrary.getGlobalVariableAddress("kCFTypeDictionaryKeyCallBacks"),
                cfLibrary.getGlobalVariableAddress("kCFTypeDictionaryValueCallBacks"));
        if (dict == null) {
            throw new IllegalStateException("CFDictionaryCreateMutable failed");
        }
        Dictionary dictionary = new Dictionary(dict);
        try {
            query.entries().forEach((key, value) -> cf.CFDictionarySetValue(dict, constant(key), toCf(value, dictionary)));
            return dictionary;
        } catch (RuntimeException e) {
            dictionary.close();
            throw e;
        }
    }

    private Pointer toCf(Object value, Dictionary owner) {
        if (value instanceof KeychainQuery.Constant c) {
            return constant(c.name());
        }
        if (value instanceof Boolean b) {
            return cfConstant(b ? "kCFBooleanTrue" : "kCFBooleanFalse");
        }
        Pointer created;
        if (value instanceof String s) {
            char[] chars = s.toCharArray();
            created = cf.CFStringCreateWithCharacters(null, chars, new NativeLong(chars.length));
        } else if (value instanceof byte[] bytes) {
            created = cf.CFDataCreate(null, bytes, new NativeLong(bytes.length));
        } else {
            throw new IllegalArgumentException("cannot pass a " + value.getClass().getName() + " to the keychain");
        }
        if (created == null) {
            throw new IllegalStateException("CoreFoundation could not create a value");
        }
        owner.owned.add(created);
        return created;
    }

    /** A Security.framework constant such as kSecClass: a global CFStringRef variable. */
    private Pointer constant(String name) {
        return constants.computeIfAbsent(name, n -> securityLibrary.getGlobalVariableAddress(n).getPointer(0));
    }

    private Pointer cfConstant(String name) {
        return constants.computeIfAbsent(name, n -> cfLibrary.getGlobalVariableAddress(n).getPointer(0));
    }
}

package dev.nexus.services.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stores of other systems are plain Java here: constructing them and asking whether they are
 * available must not load Security.framework or Advapi32, nor even a JNA class. The code runs in a
 * fresh class loader that records every class it is asked for, so "not loaded" is observed, not assumed.
 */
class NativeLoadingTest {
    @TempDir
    Path root;

    /** Loads the project's classes and its libraries itself (JDK classes come from the platform) and records them. */
    private static final class RecordingLoader extends URLClassLoader {
        final Set<String> loaded = Collections.synchronizedSet(new TreeSet<>());

        RecordingLoader() throws Exception {
            super(urls(), ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            loaded.add(name);
            return super.loadClass(name, resolve);
        }

        private static URL[] urls() throws Exception {
            String[] entries = ChildJvm.classPath(NativeLoadingTest.class).split(File.pathSeparator);
            URL[] urls = new URL[entries.length];
            for (int i = 0; i < entries.length; i++) {
                urls[i] = Path.of(entries[i]).toUri().toURL();
            }
            return urls;
        }

        Object construct(String className) throws Exception {
            return loadClass(className).getConstructor().newInstance();
        }

        Object call(Object target, String method, Object... args) throws Exception {
            for (Method m : target.getClass().getMethods()) {
                if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                    try {
                        return m.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        return e.getCause();
                    }
                }
            }
            throw new NoSuchMethodException(method);
        }

        List<String> nativeClasses() {
            return loaded.stream().filter(n -> n.startsWith("com.sun.jna.") || n.endsWith(".SecurityFramework")
                    || n.endsWith(".Advapi32Credentials") || n.endsWith(".GLibraries")).toList();
        }
    }

    @Test
    void theMacStoreOnOtherSystemsLoadsNothingNative() throws Exception {
        Assumptions.assumeTrue(HostOs.CURRENT != HostOs.MACOS);
        try (RecordingLoader loader = new RecordingLoader()) {
            Object store = loader.construct("dev.nexus.services.credentials.macos.MacKeychainStore");

            assertEquals(false, loader.call(store, "isAvailable"));
            Object failure = loader.call(store, "read", loader.loadClass(CredentialName.class.getName())
                    .getMethod("parse", String.class).invoke(null, "anthropic/default"));
            assertTrue(String.valueOf(failure).contains("only used on macOS"), String.valueOf(failure));
            assertTrue(loader.loaded.contains("dev.nexus.services.credentials.macos.MacKeychainStore"), "the store itself did load");
            assertEquals(List.of(), loader.nativeClasses());
        }
    }

    @Test
    void theWindowsStoreOnOtherSystemsLoadsNothingNative() throws Exception {
        Assumptions.assumeTrue(HostOs.CURRENT != HostOs.WINDOWS);
        try (RecordingLoader loader = new RecordingLoader()) {
            Object store = loader.construct("dev.nexus.services.credentials.windows.WindowsCredentialStore");

            assertEquals(false, loader.call(store, "isAvailable"));
            Object failure = loader.call(store, "names");
            assertTrue(String.valueOf(failure).contains("only used on Windows"), String.valueOf(failure));
            assertEquals(List.of(), loader.nativeClasses());
        }
    }

    @Test
    void openingCredentialsWithoutASessionBusLoadsNothingNative() throws Exception {
        Assumptions.assumeTrue(HostOs.CURRENT == HostOs.LINUX);
        try (RecordingLoader loader = new RecordingLoader()) {
            Class<?> paths = loader.loadClass("dev.nexus.services.support.NexusPaths");
            Object nexusPaths = paths.getConstructor(Path.class).newInstance(root);
            Object credentials = loader.loadClass(Credentials.class.getName()).getMethod("open", paths, Map.class)
                    .invoke(null, nexusPaths, Map.of());

            Object active = loader.call(credentials, "active");
            assertEquals(EncryptedFileStore.ID, loader.call(active, "id"));
            assertEquals(List.of(), loader.nativeClasses());
            assertFalse(loader.loaded.isEmpty());
        }
    }
}

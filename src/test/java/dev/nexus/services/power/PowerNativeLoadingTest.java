package dev.nexus.services.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.HostOs;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The macOS and Windows sources are plain Java on other systems: building them, asking their id and
 * trying to start them must not load IOKit, powrprof, or even a JNA class. The code runs in a fresh
 * class loader that records every class it is asked for, so "not loaded" is observed, not assumed.
 */
class PowerNativeLoadingTest {

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
            Set<String> entries = new LinkedHashSet<>();
            for (Class<?> type : new Class<?>[] {PowerNativeLoadingTest.class, SleepWakeSource.class,
                com.sun.jna.Native.class, org.slf4j.LoggerFactory.class, ch.qos.logback.classic.Logger.class,
                ch.qos.logback.core.Appender.class}) {
                entries.add(codeSource(type));
            }
            List<URL> urls = new ArrayList<>();
            for (String entry : entries) {
                urls.add(Path.of(entry).toUri().toURL());
            }
            return urls.toArray(URL[]::new);
        }

        private static String codeSource(Class<?> type) throws URISyntaxException {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }

        /** Calls start() with a do-nothing listener made in this loader; returns what it threw, or null. */
        Throwable start(Object source) throws Exception {
            Class<?> listenerType = loadClass(SleepWakeListener.class.getName());
            Object listener = Proxy.newProxyInstance(this, new Class<?>[] {listenerType}, (proxy, method, args) -> null);
            Method start = source.getClass().getMethod("start", listenerType);
            try {
                start.invoke(source, listener);
                return null;
            } catch (InvocationTargetException e) {
                return e.getCause();
            }
        }

        List<String> nativeClasses() {
            return loaded.stream().filter(n -> n.startsWith("com.sun.jna.") || n.endsWith(".IoKitNative")
                    || n.contains(".IoKitNative$") || n.endsWith(".PowrProf") || n.contains(".PowrProf$")
                    || n.endsWith(".SdBus") || n.endsWith(".LinuxLibc") || n.endsWith(".BootTimeClocks")).toList();
        }
    }

    @Test
    void theMacSourceOnOtherSystemsLoadsNothingNative() throws Exception {
        Assumptions.assumeTrue(HostOs.CURRENT != HostOs.MACOS);
        try (RecordingLoader loader = new RecordingLoader()) {
            Object source = loader.loadClass("dev.nexus.services.power.macos.IoKitSleepSource").getConstructor()
                    .newInstance();

            assertEquals("iokit", source.getClass().getMethod("id").invoke(source));
            Throwable refused = loader.start(source);
            assertEquals(SourceUnavailableException.class.getName(), refused.getClass().getName());
            assertTrue(refused.getMessage().contains("only used on macOS"), refused.getMessage());
            source.getClass().getMethod("close").invoke(source);
            assertTrue(loader.loaded.contains("dev.nexus.services.power.macos.IoKitSleepSource"));
            assertEquals(List.of(), loader.nativeClasses());
        }
    }

    @Test
    void theWindowsSourceOnOtherSystemsLoadsNothingNative() throws Exception {
        Assumptions.assumeTrue(HostOs.CURRENT != HostOs.WINDOWS);
        try (RecordingLoader loader = new RecordingLoader()) {
            Object source = loader.loadClass("dev.nexus.services.power.windows.PowerNotificationSleepSource")
                    .getConstructor().newInstance();

            assertEquals("windows-power", source.getClass().getMethod("id").invoke(source));
            Throwable refused = loader.start(source);
            assertEquals(SourceUnavailableException.class.getName(), refused.getClass().getName());
            assertTrue(refused.getMessage().contains("only used on Windows"), refused.getMessage());
            source.getClass().getMethod("close").invoke(source);
            assertEquals(List.of(), loader.nativeClasses());
        }
    }

    @Test
    void choosingTheSourcesOfAnySystemLoadsNothingNative() throws Exception {
        try (RecordingLoader loader = new RecordingLoader()) {
            Class<?> sources = loader.loadClass(SleepWakeSources.class.getName());
            Class<?> os = loader.loadClass(HostOs.class.getName());
            Method forSystem = sources.getDeclaredMethod("forSystem", os);
            forSystem.setAccessible(true);
            List<String> ids = new ArrayList<>();
            for (Object system : os.getEnumConstants()) {
                for (Object source : (List<?>) forSystem.invoke(null, system)) {
                    ids.add(system + ":" + source.getClass().getMethod("id").invoke(source));
                }
            }

            assertEquals(List.of("LINUX:logind", "LINUX:clock", "MACOS:iokit", "MACOS:clock", "WINDOWS:windows-power",
                    "WINDOWS:clock", "OTHER:clock"), ids);
            assertEquals(List.of(), loader.nativeClasses());
        }
    }
}

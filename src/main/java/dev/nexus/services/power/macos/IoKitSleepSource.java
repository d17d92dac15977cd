package dev.nexus.services.power.macos;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.power.SleepWakeEvent;
import dev.nexus.services.power.SleepWakeListener;
import dev.nexus.services.power.SleepWakeSource;
import dev.nexus.services.power.SourceUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sleep and wake on macOS from IOKit: {@code IORegisterForSystemPower} on a thread of its own that runs
 * a CFRunLoop (no AppKit needed, so it works in the headless daemon). The system power messages are
 * mapped by {@link IoKitMessages}: can-sleep is allowed at once, will-sleep is allowed once the
 * listener is prepared (or after {@code prepareLimit}; macOS itself waits up to 30 s), has-powered-on
 * is the wake.
 *
 * <p>Native code loads in {@link #start} only, and only on macOS.
 */
public final class IoKitSleepSource implements SleepWakeSource {
    private static final Logger LOG = LoggerFactory.getLogger(IoKitSleepSource.class);
    public static final String ID = "iokit";
    public static final Duration DEFAULT_PREPARE_LIMIT = Duration.ofSeconds(3);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    /** How long one run of the loop lasts before it looks whether it should stop. */
    private static final double RUN_SLICE_SECONDS = 1.0;

    private final Duration prepareLimit;
    private final Clock clock;
    private final Object lifecycle = new Object();
    private Thread thread;
    private volatile boolean stopping;

    public IoKitSleepSource() {
        this(DEFAULT_PREPARE_LIMIT, Clock.systemUTC());
    }

    public IoKitSleepSource(Duration prepareLimit, Clock clock) {
        this.prepareLimit = Objects.requireNonNull(prepareLimit, "prepareLimit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean announcesSleep() {
        return true;
    }

    @Override
    public void start(SleepWakeListener listener) throws SourceUnavailableException {
        Objects.requireNonNull(listener, "listener");
        if (HostOs.CURRENT != HostOs.MACOS) {
            throw new SourceUnavailableException("IOKit is only used on macOS");
        }
        CompletableFuture<Void> registered = new CompletableFuture<>();
        synchronized (lifecycle) {
            if (thread != null) {
                throw new IllegalStateException("the IOKit source was already started");
            }
            thread = new Thread(() -> run(listener, registered), "nexus-iokit");
            thread.setDaemon(true);
            thread.start();
        }
        try {
            registered.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            close();
            throw new SourceUnavailableException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (TimeoutException e) {
            close();
            throw new SourceUnavailableException("IORegisterForSystemPower did not return within "
                    + START_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new SourceUnavailableException("interrupted while registering with IOKit");
        }
    }

    private void run(SleepWakeListener listener, CompletableFuture<Void> registered) {
        IoKitNative natives;
        try {
            natives = IoKitNative.load();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            registered.completeExceptionally(new IllegalStateException("IOKit could not be loaded: " + e.getMessage(), e));
            return;
        }
        int[] rootPort = new int[1];
        IoKitNative.InterestCallback callback = (refcon, service, type, argument) ->
                onMessage(natives, rootPort[0], listener, type, argument);
        PointerByReference notifyPort = new PointerByReference();
        IntByReference notifier = new IntByReference();
        rootPort[0] = natives.ioKit.IORegisterForSystemPower(null, notifyPort, callback, notifier);
        if (rootPort[0] == 0) {
            registered.completeExceptionally(new IllegalStateException("IORegisterForSystemPower failed"));
            return;
        }
        Pointer loop = natives.coreFoundation.CFRunLoopGetCurrent();
        natives.coreFoundation.CFRunLoopAddSource(loop,
                natives.ioKit.IONotificationPortGetRunLoopSource(notifyPort.getValue()), natives.defaultMode);
        registered.complete(null);
        LOG.info("iokit: listening for system sleep and wake");
        try {
            while (!stopping) {
                natives.coreFoundation.CFRunLoopRunInMode(natives.defaultMode, RUN_SLICE_SECONDS, (byte) 0);
            }
        } finally {
            natives.ioKit.IODeregisterForSystemPower(notifier);
            natives.ioKit.IOServiceClose(rootPort[0]);
            natives.ioKit.IONotificationPortDestroy(notifyPort.getValue());
            // The callback object must stay reachable until IOKit can no longer call it.
            java.lang.ref.Reference.reachabilityFence(callback);
        }
    }

    /** Runs on the run-loop thread; blocking here only delays this thread, which nothing else uses. */
    private void onMessage(IoKitNative natives, int rootPort, SleepWakeListener listener, int type, Pointer argument) {
        try {
            IoKitMessages.Action action = IoKitMessages.actionFor(type);
            LOG.debug("iokit: {} -> {}", IoKitMessages.name(type), action);
            switch (action) {
                case ALLOW_AT_ONCE -> natives.ioKit.IOAllowPowerChange(rootPort, argument);
                case PREPARE_THEN_ALLOW -> {
                    long started = System.nanoTime();
                    try {
                        listener.sleeping(SleepWakeEvent.sleep(ID, clock.instant())).toCompletableFuture()
                                .get(prepareLimit.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        LOG.warn("iokit: not prepared for sleep within {} ms; letting the machine sleep anyway",
                                prepareLimit.toMillis());
                    } catch (ExecutionException e) {
                        LOG.warn("iokit: preparing for sleep failed: {}", e.getCause().toString());
                    } finally {
                        natives.ioKit.IOAllowPowerChange(rootPort, argument);
                        LOG.info("iokit: allowed sleep {} ms after {}", (System.nanoTime() - started) / 1_000_000,
                                IoKitMessages.name(type));
                    }
                }
                case WAKE -> listener.woke(SleepWakeEvent.wake(ID, clock.instant(), null));
                case NONE -> {
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("iokit: handling {} failed", IoKitMessages.name(type), e);
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            if (thread == null) {
                return;
            }
            stopping = true;
            t = thread;
        }
        try {
            t.join(START_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

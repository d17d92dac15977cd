package dev.nexus.services.power.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.power.SleepWakeEvent;
import dev.nexus.services.power.SleepWakeListener;
import dev.nexus.services.power.SleepWakeSource;
import dev.nexus.services.power.SourceUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sleep and wake on Windows from {@code PowerRegisterSuspendResumeNotification} (powrprof) with a
 * callback, so no window or message loop is needed. Windows calls back on a thread of its own and
 * suspends once the PBT_APMSUSPEND callback returns, allowing it about two seconds: the source waits
 * for the listener that long at most.
 *
 * <p>Native code loads in {@link #start} only, and only on Windows.
 */
public final class PowerNotificationSleepSource implements SleepWakeSource {
    private static final Logger LOG = LoggerFactory.getLogger(PowerNotificationSleepSource.class);
    public static final String ID = "windows-power";
    public static final Duration DEFAULT_PREPARE_LIMIT = Duration.ofMillis(1500);

    private final Duration prepareLimit;
    private final Clock clock;
    private final Object lifecycle = new Object();
    /** The native state, typed as Object so that this class names no JNA type in its fields. */
    private Object registration;

    public PowerNotificationSleepSource() {
        this(DEFAULT_PREPARE_LIMIT, Clock.systemUTC());
    }

    public PowerNotificationSleepSource(Duration prepareLimit, Clock clock) {
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
        if (HostOs.CURRENT != HostOs.WINDOWS) {
            throw new SourceUnavailableException("power notifications are only used on Windows");
        }
        synchronized (lifecycle) {
            if (registration != null) {
                throw new IllegalStateException("the Windows power source was already started");
            }
            registration = Registration.register(this, listener);
        }
        LOG.info("windows-power: listening for suspend and resume");
    }

    /** Runs on Windows' callback thread. */
    int onBroadcast(SleepWakeListener listener, int type) {
        try {
            switch (PowerBroadcast.actionFor(type)) {
                case SLEEP -> {
                    long started = System.nanoTime();
                    try {
                        listener.sleeping(SleepWakeEvent.sleep(ID, clock.instant())).toCompletableFuture()
                                .get(prepareLimit.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        LOG.warn("windows-power: not prepared within {} ms; letting Windows suspend",
                                prepareLimit.toMillis());
                    } catch (ExecutionException e) {
                        LOG.warn("windows-power: preparing for sleep failed: {}", e.getCause().toString());
                    }
                    LOG.info("windows-power: {} answered after {} ms", PowerBroadcast.name(type),
                            (System.nanoTime() - started) / 1_000_000);
                }
                case WAKE -> listener.woke(SleepWakeEvent.wake(ID, clock.instant(), null));
                case NONE -> LOG.debug("windows-power: {} ignored", PowerBroadcast.name(type));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("windows-power: handling {} failed", PowerBroadcast.name(type), e);
        }
        return PowrProf.ERROR_SUCCESS;
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (registration instanceof Registration r) {
                r.unregister();
            }
            registration = null;
        }
    }

    /** The registration handle and the structures Windows keeps pointers to (kept reachable here). */
    private static final class Registration {
        final PowrProf powrProf;
        final PowrProf.SubscribeParameters parameters;
        final Pointer handle;

        private Registration(PowrProf powrProf, PowrProf.SubscribeParameters parameters, Pointer handle) {
            this.powrProf = powrProf;
            this.parameters = parameters;
            this.handle = handle;
        }

        static Registration register(PowerNotificationSleepSource source, SleepWakeListener listener)
                throws SourceUnavailableException {
            PowrProf powrProf;
            try {
                powrProf = PowrProf.load();
            } catch (UnsatisfiedLinkError e) {
                throw new SourceUnavailableException("powrprof.dll could not be loaded: " + e.getMessage(), e);
            }
            PowrProf.SubscribeParameters parameters = new PowrProf.SubscribeParameters();
            parameters.callback = (context, type, setting) -> source.onBroadcast(listener, type);
            parameters.write();
            PointerByReference handle = new PointerByReference();
            int error = powrProf.PowerRegisterSuspendResumeNotification(PowrProf.DEVICE_NOTIFY_CALLBACK, parameters,
                    handle);
            if (error != PowrProf.ERROR_SUCCESS) {
                throw new SourceUnavailableException("PowerRegisterSuspendResumeNotification failed with error " + error);
            }
            return new Registration(powrProf, parameters, handle.getValue());
        }

        void unregister() {
            int error = powrProf.PowerUnregisterSuspendResumeNotification(handle);
            if (error != PowrProf.ERROR_SUCCESS) {
                LOG.warn("windows-power: PowerUnregisterSuspendResumeNotification failed with error {}", error);
            }
            java.lang.ref.Reference.reachabilityFence(parameters);
        }
    }
}

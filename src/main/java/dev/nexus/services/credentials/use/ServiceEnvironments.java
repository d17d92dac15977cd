package dev.nexus.services.credentials.use;

import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.support.NexusPaths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the environment of each service the engine starts: the engine's own environment, under it
 * nothing, over it the login shell's (when {@code NEXUS_LOAD_SHELL_ENV=1}), then where Nexus lives,
 * then the catalog's entries with references resolved.
 *
 * <p>The login shell is asked once, in the background, from construction on. A service started before
 * it has answered waits for it without occupying any thread; resolving references runs on the given
 * blocking executor because a keychain may take its time. Nothing here ever runs on the engine loop
 * unless it cannot block (no references and the shell has answered): then the future is complete at
 * once.
 */
public final class ServiceEnvironments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceEnvironments.class);

    private final Map<String, String> engineEnv;
    private final EnvironmentResolver resolver;
    private final Executor blocking;
    private final LoginShellEnvironment shell;
    /** The login shell's variables; empty when not asked for or when loading failed. Never fails. */
    private final CompletableFuture<Map<String, String>> shellVariables;

    /** Starts loading the login shell's environment when {@code engineEnv} asks for it (POSIX only). */
    public ServiceEnvironments(Map<String, String> engineEnv, SecretSource secrets, Executor blocking) {
        this(engineEnv, secrets, blocking, LoginShellEnvironment.requested(engineEnv) && !isWindows()
                ? new LoginShellEnvironment(engineEnv, LoginShellEnvironment.DEFAULT_TIMEOUT) : null);
        if (LoginShellEnvironment.requested(engineEnv) && isWindows()) {
            LOG.info("{} is set, but Windows has no login shell to ask; ignored", LoginShellEnvironment.FLAG);
        }
    }

    /** @param shell the login shell to ask, or null for none */
    public ServiceEnvironments(Map<String, String> engineEnv, SecretSource secrets, Executor blocking,
                               LoginShellEnvironment shell) {
        this.engineEnv = Map.copyOf(engineEnv);
        this.resolver = new EnvironmentResolver(secrets);
        this.blocking = blocking;
        this.shell = shell;
        this.shellVariables = shell == null ? CompletableFuture.completedFuture(Map.of())
                : shell.load().exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    LOG.warn("Login shell environment not loaded: {}", cause.getMessage());
                    return Map.of();
                });
    }

    /** What the catalog asks for, in order: where Nexus lives, then the service's own entries. */
    public static Map<String, String> entries(NexusPaths paths, ServiceSpec spec) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(NexusPaths.ROOT_VARIABLE, paths.root().toString());
        entries.put("NEXUS_SERVICE", spec.name());
        entries.putAll(spec.env());
        return entries;
    }

    /** The environment under the catalog's entries, as far as it is known now (never waits). */
    public Map<String, String> base() {
        return merge(engineEnv, shellVariables.getNow(Map.of()));
    }

    /** True once the login shell has answered (or was never asked). */
    public boolean shellSettled() {
        return shellVariables.isDone();
    }

    /**
     * The complete environment of a service. Complete at once when nothing can block; otherwise it
     * completes on the blocking executor. Fails with a {@link CompletionException} whose cause is a
     * {@link MissingCredentialException}.
     */
    public CompletableFuture<ResolvedEnvironment> resolve(String service, Map<String, String> entries) {
        Map<String, String> copy = new LinkedHashMap<>(entries);
        if (shellVariables.isDone() && !EnvironmentResolver.hasReferences(copy)) {
            try {
                return CompletableFuture.completedFuture(resolver.resolve(service, base(), copy));
            } catch (MissingCredentialException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return shellVariables.thenApplyAsync(shellVars -> {
            try {
                return resolver.resolve(service, merge(engineEnv, shellVars), copy);
            } catch (MissingCredentialException e) {
                throw new CompletionException(e);
            }
        }, blocking);
    }

    /** See {@link EnvironmentResolver#readableSecrets}; may block on a keychain. */
    public Set<String> readableSecrets(String service, Map<String, String> entries) {
        return resolver.readableSecrets(service, entries);
    }

    private static Map<String, String> merge(Map<String, String> under, Map<String, String> over) {
        Map<String, String> env = new LinkedHashMap<>(under);
        env.putAll(over);
        return env;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }

    /** Stops a login shell that is still being asked. */
    @Override
    public void close() {
        if (shell != null) {
            shell.close();
        }
    }
}

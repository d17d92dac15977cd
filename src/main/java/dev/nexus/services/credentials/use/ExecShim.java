package dev.nexus.services.credentials.use;

import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.supervise.Executables;
import dev.nexus.services.supervise.LaunchException;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code nexus-services exec <service>}: what launchd plists, systemd units and Windows tasks run instead
 * of the service itself, so that none of them ever holds a secret. It reads the catalog, resolves the
 * service's environment exactly as the embedded supervisor does, and then becomes the service: on POSIX
 * through execve (same pid, the catalog's command line, nothing of the JVM left), on Windows as a child
 * whose exit code it passes on.
 */
public final class ExecShim {
    private static final Logger LOG = LoggerFactory.getLogger(ExecShim.class);
    /** sysexits.h EX_CONFIG: the supervisor must not restart a service that cannot be configured. */
    public static final int EX_CONFIG = 78;

    /** The service cannot be run as configured; the message says why and how to fix it. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }

        public RefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Everything needed to become the service. Prints no environment: it holds secrets.
     *
     * @param program the resolved executable; {@code argv} keeps the catalog's spelling of argv[0]
     */
    public record Plan(String service, Path program, List<String> argv, Map<String, String> env, Path workingDir) {
        public Plan {
            argv = List.copyOf(argv);
            env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }

        @Override
        public String toString() {
            return "Plan[" + service + ": " + argv + " in " + workingDir + ", " + env.size() + " variables]";
        }
    }

    private ExecShim() {
    }

    /**
     * Reads the catalog and resolves the service's environment.
     *
     * @param processEnv this process's environment: the base, as the engine's is for embedded services
     */
    public static Plan plan(NexusPaths paths, String service, Map<String, String> processEnv, SecretSource secrets)
            throws RefusedException {
        LoadResult loaded = new CatalogStore(paths, new CatalogCodec(paths)).load();
        if (!loaded.ok()) {
            throw new RefusedException(paths.catalogFile() + " has errors, so " + service + " is not started: "
                    + loaded.errors().stream().map(CatalogProblem::toString).collect(Collectors.joining("; ")));
        }
        ServiceSpec spec = loaded.catalog().find(service).orElseThrow(() -> new RefusedException(
                "unknown service \"" + service + "\" in " + paths.catalogFile() + " (known: "
                        + String.join(", ", loaded.catalog().names()) + ")"));
        if (spec.command().isEmpty()) {
            throw new RefusedException(service + " is a " + spec.kind().id() + " and has no command to run");
        }
        if (!spec.enabled()) {
            throw new RefusedException(service + " is disabled in " + paths.catalogFile()
                    + "; enable it (\"enabled\": true) or remove it from the OS service manager");
        }
        Map<String, String> base = new LinkedHashMap<>(processEnv);
        if (LoginShellEnvironment.requested(processEnv)) {
            try (LoginShellEnvironment shell = new LoginShellEnvironment(processEnv, LoginShellEnvironment.DEFAULT_TIMEOUT)) {
                base.putAll(shell.loadNow());
            } catch (ShellEnvironmentException e) {
                LOG.warn("login shell environment not loaded: {}", e.getMessage());
            }
        }
        ResolvedEnvironment resolved;
        try {
            resolved = new EnvironmentResolver(secrets).resolve(service, base, ServiceEnvironments.entries(paths, spec));
        } catch (MissingCredentialException e) {
            throw new RefusedException(e.getMessage(), e);
        }
        Path workingDir = spec.workingDir() != null ? spec.workingDir() : paths.home();
        try {
            if (workingDir.equals(paths.home())) {
                Files.createDirectories(workingDir); // as the engine does: the default home may not exist yet
            }
        } catch (IOException e) {
            throw new RefusedException("cannot create the working directory " + workingDir + ": " + e.getMessage(), e);
        }
        if (!Files.isDirectory(workingDir)) {
            throw new RefusedException("the working directory " + workingDir + " of " + service + " does not exist");
        }
        Path program;
        try {
            program = Executables.require(spec.command().get(0), resolved.env(), workingDir);
        } catch (LaunchException e) {
            throw new RefusedException(e.getMessage(), e);
        }
        return new Plan(service, program, spec.command(), resolved.env(), workingDir);
    }

    /**
     * Becomes the service. On POSIX this returns only by throwing; on Windows it returns the child's
     * exit code.
     */
    public static int run(Plan plan) throws RefusedException {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            return runAsChild(plan);
        }
        try {
            PosixExec.exec(plan.program(), plan.argv(), plan.env(), plan.workingDir());
        } catch (IOException e) {
            throw new RefusedException(e.getMessage(), e);
        }
        throw new IllegalStateException("unreachable: exec returned");
    }

    /** Windows has no exec: run the service as a child with our stdio, stop it when we are stopped. */
    private static int runAsChild(Plan plan) throws RefusedException {
        List<String> argv = new ArrayList<>(plan.argv());
        argv.set(0, plan.program().toString());
        ProcessBuilder builder = new ProcessBuilder(argv).directory(plan.workingDir().toFile()).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(plan.env());
        String noJob = KillOnCloseJob.enterCurrentProcess();
        if (noJob != null) {
            System.err.println("nexus-services exec " + plan.service() + ": " + noJob + "; if this task is ended, "
                    + plan.program().getFileName() + " may keep running");
        }
        Process child;
        try {
            child = builder.start();
        } catch (IOException e) {
            throw new RefusedException("cannot start " + plan.program() + ": " + e.getMessage(), e);
        }
        Thread stopChild = new Thread(() -> {
            child.descendants().forEach(ProcessHandle::destroy);
            child.destroy();
        }, "nexus-exec-stop");
        Runtime.getRuntime().addShutdownHook(stopChild);
        while (true) {
            try {
                int code = child.waitFor();
                Runtime.getRuntime().removeShutdownHook(stopChild);
                return code;
            } catch (InterruptedException e) {
                // keep waiting: the shutdown hook handles our own termination
            } catch (IllegalStateException shuttingDown) {
                return child.exitValue();
            }
        }
    }

    /** Whether stdin is a terminal (for refusing to read a secret with echo). */
    public static boolean stdinIsTerminal() {
        try {
            return !System.getProperty("os.name", "").startsWith("Windows") && PosixExec.isTerminal(0);
        } catch (LinkageError e) {
            return false;
        }
    }
}

package dev.nexus.services.cli;

import dev.nexus.services.support.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nexus-services}: thin commands that parse, ask the engine (or the files) and print.
 * Exit codes: 0 success (for status: every enabled service healthy), 1 not all healthy or a
 * command's outcome failed, 2 usage error, 3 could not do it (engine unreachable, bad input).
 * {@code exec} is the exception: it becomes the service (its exit code is the service's), and exits
 * 78 (EX_CONFIG) when the service cannot run as configured, so that OS supervisors do not loop.
 */
@Command(name = "nexus-services", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Keeps the Nexus services running and visible.",
        subcommands = {StatusCommand.class, ServiceCommands.Start.class, ServiceCommands.Stop.class,
            ServiceCommands.Restart.class,
            UpCommand.class, DownCommand.class, ReloadCommand.class, LogsCommand.class, DaemonCommand.class,
            DoctorCommand.class, CredentialCommand.class, ExecCommand.class, TrayCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {
    static final int EXIT_NOT_HEALTHY = 1;
    static final int EXIT_FAILED = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return commandLine(CommandLine.defaultFactory()).execute(args);
    }

    /** The whole command tree; tests pass a factory that gives commands their own environment and streams. */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cli = new CommandLine(new Main(), factory);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("nexus-services: " + describe(e));
            cmd.getErr().flush();
            return EXIT_FAILED;
        });
        return cli;
    }

    /** A message for people: what went wrong, never a stack trace for an expected failure. */
    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nexus-services " + Version.current(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}

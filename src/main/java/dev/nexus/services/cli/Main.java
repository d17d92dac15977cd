package dev.nexus.services.cli;

import dev.nexus.services.support.Json;
import dev.nexus.services.support.Version;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
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
        description = "Keeps the Nexus services running and visible.")
public final class Main {
    static final int EXIT_NOT_HEALTHY = 1;
    static final int EXIT_FAILED = 3;

    /** The subcommands, in the order help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(StatusCommand.class, ServiceCommands.Start.class,
            ServiceCommands.Stop.class, ServiceCommands.Restart.class, UpCommand.class, DownCommand.class,
            ReloadCommand.class, GatewayCommand.class, InstallCommands.Install.class,
            InstallCommands.Uninstall.class, LogsCommand.class, DaemonCommand.class, DoctorCommand.class,
            CredentialCommand.class, ExecCommand.class, TrayCommand.class, CommandLine.HelpCommand.class);

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        List<String> statusOf = plainStatus(args);
        if (statusOf != null) {
            return quickStatus(statusOf, List.of(args).contains("--json"));
        }
        return commandLine(CommandLine.defaultFactory(), args).execute(args);
    }

    /**
     * The command tree for these arguments (only the named subcommand's model when one is named);
     * tests pass a factory that gives commands their own environment and streams.
     */
    static CommandLine commandLine(CommandLine.IFactory factory, String... args) {
        CommandLine cli = new CommandLine(new Main(), factory);
        for (Class<?> subcommand : subcommandsFor(args)) {
            cli.addSubcommand(subcommand); // created through the parent's factory
        }
        cli.setExecutionExceptionHandler(new PlainErrors());
        return cli;
    }

    /**
     * Prints the message, not the stack trace. A class, not a lambda: picocli's classes are Java 5 class
     * files, which the class-data-sharing archive keeps only while nothing links them at dump time, and
     * resolving a lambda for a picocli interface there would (it made picocli cost 35 ms more per run).
     */
    private static final class PlainErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
            cmd.getErr().println("nexus-services: " + describe(e));
            cmd.getErr().flush();
            return EXIT_FAILED;
        }
    }

    /**
     * The services named by {@code status [--json] [SERVICE...]} (empty for all), or null when the
     * arguments are anything else. Those forms are what scripts and status bars run over and over, and
     * they are run without picocli: building its model alone took half of the 150 ms start-up budget
     * (docs/BENCHMARKS.md). Anything unusual (another option, a repeated flag, a name picocli might read
     * differently) goes through picocli as before.
     */
    static List<String> plainStatus(String... args) {
        if (args.length == 0 || !args[0].equals("status")) {
            return null;
        }
        List<String> names = new ArrayList<>();
        boolean json = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--json") && !json) {
                json = true;
            } else if (isPlainName(args[i])) {
                names.add(args[i]);
            } else {
                return null;
            }
        }
        return names;
    }

    /** Letters, digits, '.', '_' and '-', not first: a service name, never an option or an @argfile. */
    private static boolean isPlainName(String arg) {
        if (arg.isEmpty() || !Character.isLetterOrDigit(arg.charAt(0))) {
            return false;
        }
        for (int i = 1; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** What picocli would do with StatusCommand: the same writers, exit codes and error line. */
    private static int quickStatus(List<String> services, boolean json) {
        new JsonWarmUp().start();
        PrintWriter out = writer(System.out, "sun.stdout.encoding");
        try {
            return StatusCommand.once(out, services, json);
        } catch (Exception e) {
            PrintWriter err = writer(System.err, "sun.stderr.encoding");
            err.println("nexus-services: " + describe(e));
            err.flush();
            return EXIT_FAILED;
        } finally {
            out.flush();
        }
    }

    /**
     * Readies Jackson while the main thread connects to the engine. Jackson's first use costs about as
     * much as the JDK's socket set-up before the first connect (its default date format pulls in the
     * JDK's locale data); on two cores the two overlap instead of adding up. A class, not a lambda,
     * for the same archive reason as {@link PlainErrors}.
     */
    private static final class JsonWarmUp extends Thread {
        JsonWarmUp() {
            super("nexus-json-warm-up");
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                        Json.MAPPER.readTree("{\"warm\": [1, \"up\", true, null, {}]}"));
            } catch (java.io.IOException | RuntimeException e) {
                // Only a head start: the real call reports any real problem.
            }
        }
    }

    /** As picocli makes its out and err writers (CommandLine.getOut/getErr). */
    private static PrintWriter writer(OutputStream stream, String encodingProperty) {
        String encoding = System.getProperty(encodingProperty);
        Charset charset = Charset.defaultCharset();
        if (encoding != null) {
            try {
                charset = Charset.forName(encoding.equalsIgnoreCase("cp65001") ? "UTF-8" : encoding);
            } catch (IllegalArgumentException unknownEncoding) {
                // picocli falls back to the default too
            }
        }
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
    }

    /**
     * Picocli builds the model of every registered command up front, by reflection, and that was a third
     * of the start-up budget of {@code status} (docs/BENCHMARKS.md). A run that names its subcommand first
     * only needs that one; anything else (help, --version, a typo that wants suggestions) gets them all.
     */
    static List<Class<?>> subcommandsFor(String... args) {
        if (args.length > 0 && !args[0].equals("help")) {
            for (Class<?> c : SUBCOMMANDS) {
                if (c.getAnnotation(Command.class).name().equals(args[0])) {
                    return List.of(c);
                }
            }
        }
        return SUBCOMMANDS;
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

package dev.nexus.services.cli;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What start, stop and restart share: a list of services or --all, a call, the resulting table. */
abstract class ServiceCommands implements Callable<Integer> {
    @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Services to act on.")
    List<String> services = new ArrayList<>();

    @Option(names = "--all", description = "Every enabled service.")
    boolean all;

    @Spec
    CommandLine.Model.CommandSpec spec;

    abstract String op();

    /** The outcome that counts as success for each named service. */
    abstract Predicate<ServiceSnapshot> succeeded();

    @Override
    public Integer call() throws Exception {
        if (services.isEmpty() && !all) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "name at least one service, or use --all");
        }
        EngineSnapshot result = EngineCalls.command(op(), EngineCalls.servicesArgs(services, all));
        EngineSnapshot shown = all ? result : StatusCommand.only(result, services);
        PrintWriter out = spec.commandLine().getOut();
        out.print(StatusTable.render(shown, Terminal.detect()));
        out.flush();
        return shown.services().stream().filter(ServiceSnapshot::enabled).allMatch(succeeded())
                ? 0 : Main.EXIT_NOT_HEALTHY;
    }

    static boolean isUp(ServiceSnapshot s) {
        return s.status() == DisplayStatus.HEALTHY || s.status() == DisplayStatus.DEGRADED;
    }

    @CommandLine.Command(name = "start", description = "Start services (and what they depend on); waits until they settle.")
    static final class Start extends ServiceCommands {
        String op() {
            return "start";
        }

        Predicate<ServiceSnapshot> succeeded() {
            return ServiceCommands::isUp;
        }
    }

    @CommandLine.Command(name = "stop", description = "Stop services (and what depends on them); waits until the process tree is gone.")
    static final class Stop extends ServiceCommands {
        String op() {
            return "stop";
        }

        Predicate<ServiceSnapshot> succeeded() {
            return s -> s.status() == DisplayStatus.STOPPED;
        }
    }

    @CommandLine.Command(name = "restart", description = "Stop, then start services.")
    static final class Restart extends ServiceCommands {
        String op() {
            return "restart";
        }

        Predicate<ServiceSnapshot> succeeded() {
            return ServiceCommands::isUp;
        }
    }
}

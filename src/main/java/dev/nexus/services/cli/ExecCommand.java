package dev.nexus.services.cli;

import dev.nexus.services.credentials.use.ExecShim;
import dev.nexus.services.credentials.use.SystemSecrets;
import dev.nexus.services.support.NexusPaths;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "exec", description = {"Become a service's command with its credentials resolved, as launchd,",
    "systemd and Windows tasks run it: they name only this shim, never a secret.",
    "Exit code 78 (EX_CONFIG) when the service cannot run as configured."})
final class ExecCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SERVICE", description = "The service, as named in services.json.")
    String service;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        NexusPaths paths = NexusPaths.fromEnvironment(env);
        try {
            return ExecShim.run(ExecShim.plan(paths, service, env, new SystemSecrets(paths, env)));
        } catch (ExecShim.RefusedException e) {
            return refuse(e.getMessage());
        } catch (RuntimeException e) {
            // Still EX_CONFIG: a supervisor restarting us in a loop would not fix it either.
            return refuse(Main.describe(e));
        }
    }

    private int refuse(String why) {
        spec.commandLine().getErr().println("nexus-services exec " + service + ": " + why);
        spec.commandLine().getErr().flush();
        return ExecShim.EX_CONFIG;
    }
}

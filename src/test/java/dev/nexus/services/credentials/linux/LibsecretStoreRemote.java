package dev.nexus.services.credentials.linux;

import dev.nexus.services.credentials.Availability;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialInfo;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.support.NexusPaths;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * Test main: drives a {@link LibsecretStore} in a JVM whose environment names the test's private
 * session bus (libsecret uses the process's own session bus, and a JVM cannot change its environment).
 * An optional argument sets the store's deadline in seconds (default: the store's own).
 * One command per line on stdin, one answer per line on stdout; values and messages are Base64 so any
 * text (Unicode, spaces) passes unchanged.
 *
 * <pre>
 * available               → ok true|false &lt;reason&gt;
 * read NAME               → ok present &lt;value&gt; | ok absent
 * write NAME VALUE        → ok
 * delete NAME             → ok true|false
 * facade-set ROOT NAME V  → ok &lt;active store id&gt;   (Credentials.open with this process's environment)
 * facade-get ROOT NAME    → ok present &lt;value&gt; | ok absent
 * facade-list ROOT        → ok &lt;name=backend,...&gt;
 * facade-where ROOT       → ok &lt;explanation&gt;
 * any failure             → error REASON &lt;message&gt;
 * </pre>
 */
public final class LibsecretStoreRemote {
    private LibsecretStoreRemote() {
    }

    public static void main(String[] args) throws Exception {
        String address = System.getenv(LibsecretStore.BUS_VARIABLE);
        LibsecretStore store = args.length > 0
                ? new LibsecretStore(address, address, java.time.Duration.ofSeconds(Long.parseLong(args[0])), dev.nexus.services.credentials.HostOs.CURRENT)
                : LibsecretStore.fromEnvironment(System.getenv());
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.split(" ");
            try {
                out.println("ok " + answer(store, words));
            } catch (CredentialException e) {
                out.println("error " + e.reason() + " " + b64(e.getMessage()));
            }
        }
    }

    private static String answer(LibsecretStore store, String[] words) throws CredentialException {
        switch (words[0]) {
            case "available": {
                Availability availability = store.availability();
                return availability.available() + " " + b64(availability.reason());
            }
            case "read":
                return present(store.read(CredentialName.parse(words[1])));
            case "write":
                store.write(CredentialName.parse(words[1]), Secret.of(unb64(words[2])));
                return "done";
            case "delete":
                return String.valueOf(store.delete(CredentialName.parse(words[1])));
            case "facade-set": {
                Credentials credentials = facade(words[1]);
                credentials.set(CredentialName.parse(words[2]), Secret.of(unb64(words[3])));
                return credentials.active().id();
            }
            case "facade-get":
                return present(facade(words[1]).get(CredentialName.parse(words[2])));
            case "facade-list": {
                StringBuilder list = new StringBuilder();
                for (CredentialInfo info : facade(words[1]).list()) {
                    list.append(list.length() == 0 ? "" : ",").append(info.name()).append('=').append(info.backend());
                }
                return b64(list.toString());
            }
            case "facade-where":
                return b64(facade(words[1]).whereExplanation());
            default:
                throw new IllegalArgumentException("unknown command " + words[0]);
        }
    }

    private static Credentials facade(String root) {
        return Credentials.open(new NexusPaths(Path.of(unb64(root))), System.getenv());
    }

    private static String present(Optional<Secret> secret) {
        return secret.map(s -> "present " + b64(s.reveal())).orElse("absent");
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String unb64(String text) {
        return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
    }
}

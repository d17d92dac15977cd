package dev.nexus.services.manager.windows;

import dev.nexus.services.manager.Golden;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.RestartSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every task definition variant against its golden file, read back with the JDK's XML parser. */
class WindowsTasksGoldenTest {
    @Test
    void engineLogonTaskRunsTheDaemonForThisUserWithoutAdminLimitsOrBatteryStops() throws Exception {
        String xml = WindowsTasks.engine(WinFixtures.USER, List.of(WinFixtures.LAUNCHER, "daemon"), WinFixtures.PROFILE);
        Golden.assertMatches("windows/engine-task.xml", xml);

        TaskXmlDocs task = TaskXmlDocs.parse(xml);
        assertEquals("1.2", task.version());
        assertEquals("\\Nexus\\Nexus Services Engine", task.text("RegistrationInfo/URI"));
        assertEquals(WinFixtures.USER, task.text("Triggers/LogonTrigger/UserId"));
        assertEquals(WinFixtures.USER, task.text("Principals/Principal/UserId"));
        assertEquals("InteractiveToken", task.text("Principals/Principal/LogonType"));
        assertEquals("LeastPrivilege", task.text("Principals/Principal/RunLevel"));
        assertEquals("PT0S", task.text("Settings/ExecutionTimeLimit"));
        assertEquals("false", task.text("Settings/DisallowStartIfOnBatteries"));
        assertEquals("false", task.text("Settings/StopIfGoingOnBatteries"));
        assertEquals("IgnoreNew", task.text("Settings/MultipleInstancesPolicy"));
        assertEquals("true", task.text("Settings/Hidden"));
        assertEquals("PT1M", task.text("Settings/RestartOnFailure/Interval"));
        assertEquals("255", task.text("Settings/RestartOnFailure/Count"), "Count is an unsignedByte in the schema");
        assertEquals(WinFixtures.LAUNCHER, task.text("Actions/Exec/Command"));
        assertEquals("daemon", task.text("Actions/Exec/Arguments"));
        assertEquals(WinFixtures.PROFILE, task.text("Actions/Exec/WorkingDirectory"));
    }

    @Test
    void trayLogonTaskIsNotRestartedWhenTheUserQuitsIt() throws Exception {
        String xml = WindowsTasks.tray(WinFixtures.USER, List.of(WinFixtures.LAUNCHER, "tray"), WinFixtures.PROFILE);
        Golden.assertMatches("windows/tray-task.xml", xml);

        TaskXmlDocs task = TaskXmlDocs.parse(xml);
        assertEquals("\\Nexus\\Nexus Services Tray", task.text("RegistrationInfo/URI"));
        assertEquals("tray", task.text("Actions/Exec/Arguments"));
        assertFalse(task.has("Settings/RestartOnFailure"));
        assertEquals("PT0S", task.text("Settings/ExecutionTimeLimit"), "else Task Scheduler ends the tray after 72 hours");
    }

    @Test
    void serviceTaskRunsTheExecShimAndStaysVisible() throws Exception {
        String xml = WindowsTasks.service(WinFixtures.USER, "cloud", "Nexus Cloud", RestartSpec.Mode.ON_FAILURE,
                List.of(WinFixtures.LAUNCHER, "exec", "cloud"), WinFixtures.PROFILE);
        Golden.assertMatches("windows/service-cloud-task.xml", xml);

        TaskXmlDocs task = TaskXmlDocs.parse(xml);
        assertEquals("\\Nexus\\nexus-cloud", task.text("RegistrationInfo/URI"));
        assertEquals("exec cloud", task.text("Actions/Exec/Arguments"));
        assertEquals("false", task.text("Settings/Hidden"), "MS-TSCH: a hidden task is not stopped by SchRpcStop; and users look for it");
        assertTrue(task.has("Settings/RestartOnFailure"));
    }

    @Test
    void neverRestartedServiceHasNoRestartOnFailure() throws Exception {
        String xml = WindowsTasks.service(WinFixtures.USER, "cloud", "Nexus Cloud", RestartSpec.Mode.NEVER,
                List.of(WinFixtures.LAUNCHER, "exec", "cloud"), WinFixtures.PROFILE);
        Golden.assertMatches("windows/service-cloud-never-task.xml", xml);

        assertFalse(TaskXmlDocs.parse(xml).has("Settings/RestartOnFailure"));
    }

    @Test
    void specialCharactersAreEscapedForXmlAndArgumentsQuotedForWindows() throws Exception {
        String user = "R&D<lab>\\ada o'neil";
        List<String> argv = List.of("C:\\Users\\ada o'neil\\R&D Tools\\nexus-services.exe", "exec", "a b", "say \"hi\"", "C:\\dir with space\\");
        String xml = WindowsTasks.engine(user, argv, "C:\\Users\\ada o'neil");
        Golden.assertMatches("windows/escaping-task.xml", xml);

        TaskXmlDocs task = TaskXmlDocs.parse(xml);
        assertEquals(user, task.text("Principals/Principal/UserId"));
        assertEquals(argv.get(0), task.text("Actions/Exec/Command"), "the program is not split, so not quoted");
        assertEquals(argv.subList(1, argv.size()), WindowsCommandLineTest.parse(task.text("Actions/Exec/Arguments")),
                "Windows splits the Arguments back into exactly the argv");
    }

    @Test
    void noDefinitionHoldsAServiceSecretAndControlCharactersAreRefused() {
        String xml = WindowsTasks.service(WinFixtures.USER, "cloud", "Nexus Cloud", RestartSpec.Mode.ON_FAILURE,
                List.of(WinFixtures.LAUNCHER, "exec", "cloud"), WinFixtures.PROFILE);
        assertFalse(xml.contains(WinFixtures.CANARY));
        assertFalse(xml.contains("credential:"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WindowsTasks.engine("ada\u0000", List.of(WinFixtures.LAUNCHER, "daemon"), WinFixtures.PROFILE));
        assertTrue(e.getMessage().contains("U+0000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WindowsTasks.serviceTaskName("..\\evil"));
    }
}

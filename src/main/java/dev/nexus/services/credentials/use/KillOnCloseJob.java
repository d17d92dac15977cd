package dev.nexus.services.credentials.use;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.WinNT;

/**
 * Windows: puts the {@code exec} shim into a job object that kills every process in it when its last handle
 * closes, which happens when the shim dies in any way, {@code TerminateProcess} included. Task Scheduler's
 * "End" (and {@code schtasks /End}) terminates only the task's own process; without the job the service,
 * started as the shim's child (Windows has no exec), would run on with nobody supervising it. Children
 * inherit the job, so the whole tree goes.
 *
 * <p>Loaded only on Windows, from {@link ExecShim#run}: the layout is unit-tested elsewhere, never called.
 */
final class KillOnCloseJob {
    /** JOBOBJECTINFOCLASS JobObjectExtendedLimitInformation. */
    static final int EXTENDED_LIMIT_INFORMATION = 9;
    static final int JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000;

    private KillOnCloseJob() {
    }

    interface Kernel32Jobs extends Library {
        Pointer CreateJobObjectW(Pointer attributes, WString name);

        boolean SetInformationJobObject(Pointer job, int infoClass, ExtendedLimits info, int length);

        boolean AssignProcessToJobObject(Pointer job, Pointer process);

        Pointer GetCurrentProcess();
    }

    /** JOBOBJECT_EXTENDED_LIMIT_INFORMATION, with its BASIC_LIMIT_INFORMATION inlined (144 bytes on x64). */
    @Structure.FieldOrder({"perProcessUserTimeLimit", "perJobUserTimeLimit", "limitFlags", "minimumWorkingSetSize",
            "maximumWorkingSetSize", "activeProcessLimit", "affinity", "priorityClass", "schedulingClass",
            "ioInfo", "processMemoryLimit", "jobMemoryLimit", "peakProcessMemoryUsed", "peakJobMemoryUsed"})
    public static final class ExtendedLimits extends Structure {
        public long perProcessUserTimeLimit;
        public long perJobUserTimeLimit;
        public int limitFlags;
        public BaseTSD.SIZE_T minimumWorkingSetSize = new BaseTSD.SIZE_T();
        public BaseTSD.SIZE_T maximumWorkingSetSize = new BaseTSD.SIZE_T();
        public int activeProcessLimit;
        public BaseTSD.ULONG_PTR affinity = new BaseTSD.ULONG_PTR();
        public int priorityClass;
        public int schedulingClass;
        public WinNT.IO_COUNTERS ioInfo = new WinNT.IO_COUNTERS();
        public BaseTSD.SIZE_T processMemoryLimit = new BaseTSD.SIZE_T();
        public BaseTSD.SIZE_T jobMemoryLimit = new BaseTSD.SIZE_T();
        public BaseTSD.SIZE_T peakProcessMemoryUsed = new BaseTSD.SIZE_T();
        public BaseTSD.SIZE_T peakJobMemoryUsed = new BaseTSD.SIZE_T();

        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    /**
     * Makes this process (and so every child it starts from now on) a member of a kill-on-close job.
     *
     * @return null when done, else why not (the caller warns: the service could outlive an ended task)
     */
    static String enterCurrentProcess() {
        try {
            Kernel32Jobs kernel32 = Native.load("kernel32", Kernel32Jobs.class);
            Pointer job = kernel32.CreateJobObjectW(null, null);
            if (job == null) {
                return "CreateJobObject failed (error " + Native.getLastError() + ")";
            }
            ExtendedLimits limits = new ExtendedLimits();
            limits.limitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            limits.write();
            if (!kernel32.SetInformationJobObject(job, EXTENDED_LIMIT_INFORMATION, limits, limits.size())) {
                return "SetInformationJobObject failed (error " + Native.getLastError() + ")";
            }
            // The handle is never closed on purpose: the system closes it when this process ends, which is
            // exactly when the job must kill what is left.
            if (!kernel32.AssignProcessToJobObject(job, kernel32.GetCurrentProcess())) {
                return "AssignProcessToJobObject failed (error " + Native.getLastError() + ")";
            }
            return null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return "kernel32 could not be loaded: " + e.getMessage();
        }
    }
}

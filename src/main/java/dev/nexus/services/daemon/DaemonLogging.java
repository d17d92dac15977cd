package dev.nexus.services.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * The daemon logs to {@code logs/engine.log} (rotated at 10 MB, 5 kept; started again when deleted).
 * Set up in code rather than in logback.xml because the path depends on NEXUS_ROOT, and the CLI, which
 * shares the jar, must keep its quiet stderr-only configuration.
 */
final class DaemonLogging {
    private DaemonLogging() {
    }

    static EngineLogTrouble toFile(Path logFile) {
        return toFile((LoggerContext) LoggerFactory.getILoggerFactory(), logFile);
    }

    /**
     * Configures {@code ctx} (the process's own, or a test's) to log to {@code logFile}; the result tells
     * when that file cannot be written and when it can again.
     */
    static EngineLogTrouble toFile(LoggerContext ctx, Path logFile) {
        ctx.reset();
        EngineLogTrouble trouble = new EngineLogTrouble(ctx.getLogger(EngineLogTrouble.class));
        ctx.getStatusManager().add(trouble);

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0}: %msg%n");
        encoder.start();

        // A log file deleted underneath (the user cleared the log directory) is started again.
        RollingFileAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ReopeningFileAppender<>(trouble);
        appender.setContext(ctx);
        appender.setName("engine-log");
        appender.setFile(logFile.toString());
        appender.setEncoder(encoder);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(appender);
        rolling.setFileNamePattern(logFile + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(5);
        rolling.start();

        SizeBasedTriggeringPolicy<ch.qos.logback.classic.spi.ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(FileSize.valueOf("10MB"));
        trigger.start();

        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.start();

        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        return trouble;
    }
}

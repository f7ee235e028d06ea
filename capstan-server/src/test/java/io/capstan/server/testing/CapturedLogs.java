package io.capstan.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Captures everything every logger writes, with every logger turned up to TRACE, through the same redacting
 * pattern the server's console uses. Also keeps each raw formatted message, so tests can check that Capstan's own
 * code never hands a secret to a logger in the first place. Restores the previous levels on close.
 */
public final class CapturedLogs implements AutoCloseable {
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Map<Logger, Level> previousLevels = new HashMap<>();
    private final List<String> written = new ArrayList<>();
    private final List<String> rawMessages = new ArrayList<>();
    private final AppenderBase<ILoggingEvent> appender;

    private CapturedLogs() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger %msg%n%ex");
        encoder.start();
        appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                synchronized (written) {
                    written.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
                    if (event.getLoggerName().startsWith("io.capstan")) {
                        rawMessages.add(event.getFormattedMessage()
                                + (event.getThrowableProxy() == null
                                        ? ""
                                        : event.getThrowableProxy().getMessage()));
                    }
                }
            }
        };
        appender.setContext(context);
        appender.start();
        for (Logger logger : context.getLoggerList()) {
            if (logger.getLevel() != null) {
                previousLevels.put(logger, logger.getLevel());
                logger.setLevel(Level.TRACE);
            }
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        previousLevels.put(root, root.getLevel());
        root.setLevel(Level.TRACE);
        root.addAppender(appender);
    }

    public static CapturedLogs everything() {
        return new CapturedLogs();
    }

    /** All that was written, as the console would have shown it. */
    public String written() {
        synchronized (written) {
            return String.join("", written);
        }
    }

    /** The messages Capstan's own loggers were given, before any redaction. */
    public String rawCapstanMessages() {
        synchronized (written) {
            return String.join("\n", rawMessages);
        }
    }

    @Override
    public void close() {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAppender(appender);
        appender.stop();
        previousLevels.forEach(Logger::setLevel);
    }
}

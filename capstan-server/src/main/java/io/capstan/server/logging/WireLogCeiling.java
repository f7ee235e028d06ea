package io.capstan.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.slf4j.Marker;

/**
 * Keeps the libraries that see raw requests, connections and statements (Jetty, Javalin, the JDBC drivers, the
 * pool, Jdbi, the AWS SDK) at INFO or above, whatever level an operator sets. At DEBUG they log request lines with
 * query strings, headers and bound values, which may hold a secret no pattern can recognise. Capstan's own loggers
 * are not capped: they never log a secret in the first place.
 */
public final class WireLogCeiling extends TurboFilter {
    private static final List<String> WIRE_LOGGERS = List.of(
            "org.eclipse.jetty",
            "io.javalin",
            "com.zaxxer.hikari",
            "org.postgresql",
            "org.h2",
            "h2database",
            "org.jdbi",
            "org.flywaydb",
            "software.amazon.awssdk",
            "org.apache.http",
            "jdk.internal.httpclient",
            "com.sun.net.httpserver");

    @Override
    public FilterReply decide(
            Marker marker, Logger logger, Level level, String format, Object[] params, Throwable throwable) {
        if (level == null || level.isGreaterOrEqual(Level.INFO)) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        for (String prefix : WIRE_LOGGERS) {
            if (name.startsWith(prefix)) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}

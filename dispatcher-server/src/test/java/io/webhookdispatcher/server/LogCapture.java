package io.webhookdispatcher.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Records every log event of the root logger while open, with {@code io.webhookdispatcher} set to a
 * chosen level; closing restores the level.
 */
final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger dispatcherLogger = (Logger) LoggerFactory.getLogger("io.webhookdispatcher");
  private final Level previousLevel;

  private LogCapture(Level level) {
    previousLevel = dispatcherLogger.getLevel();
    dispatcherLogger.setLevel(level);
    appender.start();
    root.addAppender(appender);
  }

  /** Starts capturing with {@code io.webhookdispatcher} at {@code level}. */
  static LogCapture start(Level level) {
    return new LogCapture(level);
  }

  List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  /** Returns every event as one line of text: level, logger, message and any stack trace. */
  List<String> lines() {
    return events().stream().map(LogCapture::render).collect(Collectors.toList());
  }

  /** Returns all captured output as one text. */
  String text() {
    return String.join("\n", lines());
  }

  private static String render(ILoggingEvent event) {
    StringBuilder line =
        new StringBuilder()
            .append(event.getLevel())
            .append(' ')
            .append(event.getLoggerName())
            .append(" - ")
            .append(event.getFormattedMessage())
            .append(' ')
            .append(event.getMDCPropertyMap());
    for (IThrowableProxy cause = event.getThrowableProxy();
        cause != null;
        cause = cause.getCause()) {
      line.append(" caused by ")
          .append(cause.getClassName())
          .append(": ")
          .append(cause.getMessage());
      for (StackTraceElementProxy frame : cause.getStackTraceElementProxyArray()) {
        line.append(" at ").append(frame.getSTEAsString());
      }
    }
    return line.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    dispatcherLogger.setLevel(previousLevel);
  }
}

package io.webhookdispatcher.svix;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Records every log event while open, with every logger at TRACE so that nothing hides. */
final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Level previousLevel = root.getLevel();

  LogCapture() {
    root.setLevel(Level.TRACE);
    appender.start();
    root.addAppender(appender);
  }

  /**
   * Returns every event as text: level, logger, message and causes. The WireMock server's own
   * events are left out, because it plays Svix and logs the requests it receives.
   */
  String text() {
    return appender.list.stream()
        .filter(e -> !e.getLoggerName().startsWith("wiremock"))
        .filter(e -> !e.getLoggerName().startsWith("com.github.tomakehurst"))
        .filter(e -> !e.getLoggerName().startsWith("org.eclipse.jetty"))
        .map(LogCapture::render)
        .collect(Collectors.joining("\n"));
  }

  /** Returns the events at this level whose message contains {@code part}. */
  long count(Level level, String part) {
    return appender.list.stream()
        .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(part))
        .count();
  }

  private static String render(ILoggingEvent event) {
    StringBuilder line =
        new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " - ")
            .append(event.getFormattedMessage());
    for (IThrowableProxy cause = event.getThrowableProxy();
        cause != null;
        cause = cause.getCause()) {
      line.append(" caused by ").append(cause.getClassName()).append(": ").append(cause.getMessage());
    }
    return line.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(previousLevel);
  }
}

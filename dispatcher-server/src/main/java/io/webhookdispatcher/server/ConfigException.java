package io.webhookdispatcher.server;

import io.webhookdispatcher.WebhookException;

/**
 * Invalid server configuration: a value that does not parse, a missing configuration file or
 * settings that do not fit together. The message names the key, the rejected value (masked for
 * credentials) and the fix. The server exits with status 2 on it.
 */
public final class ConfigException extends WebhookException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  public ConfigException(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  /**
   * Returns the rejected configuration key, such as {@code webhooks.http.port}, or {@code --config}
   * for a problem with the configuration file itself.
   */
  public String key() {
    return key;
  }
}

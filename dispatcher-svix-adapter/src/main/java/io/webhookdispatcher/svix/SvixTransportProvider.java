package io.webhookdispatcher.svix;

import io.webhookdispatcher.DispatcherSettings;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.spi.Transport;
import io.webhookdispatcher.spi.TransportProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Provides the {@code svix} transport from the keys {@value #TOKEN} (required), {@value
 * #SERVER_URL} and {@value #APP_UID}. Requests to Svix use the dispatcher's request timeout.
 */
public final class SvixTransportProvider implements TransportProvider {

  /** The value of {@code webhooks.transport} that selects this transport. */
  public static final String NAME = "svix";

  /** The Svix API token. */
  public static final String TOKEN = "webhooks.svix.token";

  /** The Svix API; by default chosen from the token's region. */
  public static final String SERVER_URL = "webhooks.svix.server-url";

  /** The uid of the Svix application that contains the endpoints. */
  public static final String APP_UID = "webhooks.svix.app-uid";

  /** Every key of this transport. */
  public static final Set<String> KEYS = Set.of(TOKEN, SERVER_URL, APP_UID);

  private static final String PREFIX = "webhooks.svix.";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Transport create(Map<String, String> config, DispatcherSettings settings) {
    Set<String> unknown = new TreeSet<>();
    for (String key : config.keySet()) {
      if (key.startsWith(PREFIX) && !KEYS.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      String first = unknown.iterator().next();
      throw new InvalidInputException(
          first,
          "unknown Svix setting " + String.join(", ", unknown) + "; known: " + String.join(", ", new TreeSet<>(KEYS)));
    }
    String token = config.get(TOKEN);
    if (token == null || token.isBlank()) {
      throw new InvalidInputException(
          TOKEN, TOKEN + " is required when webhooks.transport is svix: set it to the Svix API token");
    }
    SvixTransport.Builder builder =
        SvixTransport.builder().token(token.trim()).requestTimeout(settings.requestTimeout());
    String serverUrl = config.get(SERVER_URL);
    if (serverUrl != null && !serverUrl.isBlank()) {
      builder.serverUrl(parseUrl(serverUrl.trim()));
    }
    String appUid = config.get(APP_UID);
    if (appUid != null && !appUid.isBlank()) {
      builder.appUid(appUid.trim());
    }
    return builder.build();
  }

  private static URI parseUrl(String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new InvalidInputException(
          SERVER_URL,
          SERVER_URL
              + " '"
              + SvixTransport.withoutUserInfo(value)
              + "' is not a URL: "
              + e.getReason());
    }
  }
}

package io.webhookdispatcher.svix;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.webhookdispatcher.internal.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends requests to the Svix API with the bearer token, and tries again on 429, 5xx and I/O errors
 * with resilience4j: after the delay that {@code Retry-After} requests, when it is within bounds,
 * else after an exponential backoff.
 */
final class SvixClient implements AutoCloseable {
  private static final String JSON = "application/json";

  private final HttpClient http;
  private final URI serverUrl;
  private final String authorization;
  private final String userAgent;
  private final Duration requestTimeout;
  private final Duration maxRetryAfter;
  private final Retry retry;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;

  SvixClient(SvixTransport.Builder builder, URI serverUrl) {
    this.serverUrl = serverUrl;
    this.authorization = "Bearer " + builder.token;
    this.userAgent = builder.userAgent;
    this.requestTimeout = builder.requestTimeout;
    this.maxRetryAfter = builder.maxRetryAfter;
    this.clock = builder.clock;
    this.http =
        HttpClient.newBuilder()
            .version(
                "https".equals(serverUrl.getScheme())
                    ? HttpClient.Version.HTTP_2
                    : HttpClient.Version.HTTP_1_1)
            .connectTimeout(builder.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "svix-retry");
              thread.setDaemon(true);
              return thread;
            });
    Duration backoff = builder.retryBackoff;
    IntervalBiFunction<SvixResponse> interval =
        (tries, outcome) -> {
          if (outcome.isRight() && outcome.get().retryAfter() != null) {
            return outcome.get().retryAfter().toMillis();
          }
          return backoff.toMillis() << Math.min(tries - 1, 16);
        };
    this.retry =
        Retry.of(
            "svix",
            RetryConfig.<SvixResponse>custom()
                .maxAttempts(builder.maxTries)
                .intervalBiFunction(interval)
                .retryOnResult(this::worthRetrying)
                .retryOnException(SvixClient::isIoFailure)
                .failAfterMaxAttempts(false)
                .build());
  }

  /**
   * Sends a request, retrying as described above, and completes with the last response. It
   * completes exceptionally with an {@link IOException} when the last try got no response.
   *
   * @param method GET, POST or DELETE
   * @param path the path and query, starting with {@code /api/v1/}
   * @param idempotencyKey the same on every try, so that Svix applies a POST once; or {@code null}
   * @param body the JSON body, or {@code null} for none
   */
  CompletionStage<SvixResponse> send(
      String method, String path, String idempotencyKey, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(serverUrl + path))
            .timeout(requestTimeout)
            .header("Authorization", authorization)
            .header("Accept", JSON)
            .header("User-Agent", userAgent);
    if (idempotencyKey != null) {
      request.header("idempotency-key", idempotencyKey);
    }
    if (body != null) {
      request.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpRequest built = request.build();
    return retry.executeCompletionStage(scheduler, () -> sendOnce(built));
  }

  /** Sends like {@link #send} and waits for the response. */
  SvixResponse sendAndWait(String method, String path, String idempotencyKey, byte[] body)
      throws IOException {
    try {
      return send(method, path, idempotencyKey, body).toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause.toString(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for Svix", e);
    }
  }

  private CompletionStage<SvixResponse> sendOnce(HttpRequest request) {
    long started = System.nanoTime();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            response ->
                new SvixResponse(
                    response.statusCode(),
                    response.body() == null ? new byte[0] : response.body(),
                    RetryAfter.parse(
                        response.headers().firstValue("Retry-After").orElse(null),
                        clock.instant()),
                    Duration.ofNanos(System.nanoTime() - started)))
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(unwrap(failure)));
  }

  /** Retries 429 and 5xx, unless Svix requests a wait longer than one attempt may. */
  private boolean worthRetrying(SvixResponse response) {
    return response.retryable()
        && (response.retryAfter() == null || response.retryAfter().compareTo(maxRetryAfter) <= 0);
  }

  private static boolean isIoFailure(Throwable failure) {
    return unwrap(failure) instanceof IOException;
  }

  static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  URI serverUrl() {
    return serverUrl;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

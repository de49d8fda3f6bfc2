package io.webhookdispatcher;

import java.util.List;
import java.util.Optional;

/**
 * One page of an endpoint's attempts, newest first.
 *
 * @param attempts the attempts of this page
 * @param nextCursorValue the cursor of the next page, or {@code null} when this page is the last
 */
public record AttemptPage(List<Attempt> attempts, String nextCursorValue) {

  public AttemptPage {
    attempts = List.copyOf(attempts);
  }

  /**
   * Returns the opaque cursor that {@link AttemptQuery.Builder#cursor} takes for the next page, or
   * empty when no attempt is left.
   */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(nextCursorValue);
  }
}

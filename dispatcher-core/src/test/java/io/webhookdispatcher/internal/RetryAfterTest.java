package io.webhookdispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

  @Test
  void delta_seconds_become_duration() {
    assertThat(RetryAfter.parse("120", NOW)).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void zero_seconds_is_kept() {
    assertThat(RetryAfter.parse("0", NOW)).isEqualTo(Duration.ZERO);
  }

  @Test
  void http_date_is_relative_to_now() {
    assertThat(RetryAfter.parse("Sat, 01 Mar 2025 12:01:30 GMT", NOW))
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void obsolete_date_format_is_accepted() {
    assertThat(RetryAfter.parse("Saturday, 01-Mar-25 12:00:10 GMT", NOW))
        .isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void past_http_date_is_ignored() {
    assertThat(RetryAfter.parse("Sat, 01 Mar 2025 11:59:00 GMT", NOW)).isNull();
  }

  @Test
  void malformed_values_are_ignored() {
    assertThat(RetryAfter.parse(null, NOW)).isNull();
    assertThat(RetryAfter.parse(" ", NOW)).isNull();
    assertThat(RetryAfter.parse("-5", NOW)).isNull();
    assertThat(RetryAfter.parse("1.5", NOW)).isNull();
    assertThat(RetryAfter.parse("soon", NOW)).isNull();
    assertThat(RetryAfter.parse("99999999999999999999", NOW)).isNull();
  }

  @Test
  void surrounding_whitespace_is_trimmed() {
    assertThat(RetryAfter.parse(" 30 ", NOW)).isEqualTo(Duration.ofSeconds(30));
  }
}

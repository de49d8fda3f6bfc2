package io.webhookdispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  @Test
  void default_schedule_has_seven_delays() {
    RetrySchedule schedule = RetrySchedule.defaults();

    assertThat(schedule.delays())
        .containsExactly(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(10));
    assertThat(schedule.maxAttempts()).isEqualTo(8);
  }

  @Test
  void delays_stay_within_twenty_percent() {
    RetrySchedule schedule = RetrySchedule.defaults();

    for (int i = 0; i < 1000; i++) {
      Duration delay = schedule.delayAfter(2, null).orElseThrow();
      assertThat(delay).isBetween(Duration.ofSeconds(240), Duration.ofSeconds(360));
    }
  }

  @Test
  void jitter_varies_delays() {
    RetrySchedule schedule = RetrySchedule.defaults();

    long distinct =
        java.util.stream.IntStream.range(0, 100)
            .mapToObj(i -> schedule.delayAfter(1, null).orElseThrow())
            .distinct()
            .count();

    assertThat(distinct).isGreaterThan(10);
  }

  @Test
  void last_attempt_has_no_delay() {
    RetrySchedule schedule = RetrySchedule.parse("1s,2s");

    assertThat(schedule.delayAfter(2, null)).isPresent();
    assertThat(schedule.delayAfter(3, null)).isEmpty();
  }

  @Test
  void retry_after_lengthens_but_never_shortens() {
    RetrySchedule schedule = RetrySchedule.parse("10s,1h").withJitter(0);

    assertThat(schedule.delayAfter(1, Duration.ofMinutes(2))).contains(Duration.ofMinutes(2));
    assertThat(schedule.delayAfter(1, Duration.ofSeconds(1))).contains(Duration.ofSeconds(10));
  }

  @Test
  void retry_after_is_capped_at_longest_delay() {
    RetrySchedule schedule = RetrySchedule.parse("10s,1h").withJitter(0);

    assertThat(schedule.delayAfter(1, Duration.ofDays(30))).contains(Duration.ofHours(1));
  }

  @Test
  void parse_reads_every_unit() {
    RetrySchedule schedule = RetrySchedule.parse("500ms, 15s,5m,2h,1d");

    assertThat(schedule.delays())
        .isEqualTo(
            List.of(
                Duration.ofMillis(500),
                Duration.ofSeconds(15),
                Duration.ofMinutes(5),
                Duration.ofHours(2),
                Duration.ofDays(1)));
  }

  @Test
  void parse_names_invalid_entry() {
    assertThatThrownBy(() -> RetrySchedule.parse("5s,five minutes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'five minutes'");
  }

  @Test
  void empty_text_means_no_retries() {
    assertThat(RetrySchedule.parse("").maxAttempts()).isEqualTo(1);
  }
}

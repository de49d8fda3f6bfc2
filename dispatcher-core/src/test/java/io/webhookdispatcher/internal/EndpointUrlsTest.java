package io.webhookdispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.netty.AddressFilter;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointUrlsTest {

  private static final AddressFilter DENY_PRIVATE = AddressFilter.denyPrivate();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2130706433",
        "0x7f000001",
        "017700000001",
        "127.1",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "127.0.1",
        "0x7f.1",
        "0177.1",
        "127.0.0.1.",
        "0127.0.0.1",
        "127.000.000.001",
        "%31%32%37.0.0.1",
      })
  void loopback_in_other_forms_is_rejected(String host) {
    InvalidInputException error = rejected("http://" + host + ":8080/hook", DENY_PRIVATE);

    assertThat(error.field()).isEqualTo("url");
    assertThat(error).hasMessageContaining("a loopback address (127.0.0.0/8)");
  }

  @Test
  void rejection_names_written_form_and_address() {
    InvalidInputException error = rejected("http://0x7f.1/hook", DENY_PRIVATE);

    assertThat(error)
        .hasMessage(
            "url host 0x7f.1 (read as 127.0.0.1) is rejected: a loopback address (127.0.0.0/8);"
                + " deliveries to private addresses are off by default");
  }

  @Test
  void dotted_decimal_rejection_is_unchanged() {
    InvalidInputException error = rejected("http://10.0.0.1/hook", DENY_PRIVATE);

    assertThat(error)
        .hasMessage(
            "url host 10.0.0.1 is rejected: a private address (10.0.0.0/8);"
                + " deliveries to private addresses are off by default");
  }

  @ParameterizedTest(name = "{0} read as {1}")
  @CsvSource({
    "134744072, 8.8.8.8",
    "0x8080808, 8.8.8.8",
    "0X08080808, 8.8.8.8",
    "01002004010, 8.8.8.8",
    "8.526344, 8.8.8.8",
    "8.8.2056, 8.8.8.8",
    "011.011.011.011, 9.9.9.9",
    "0x8.0x8.0x8.0x8, 8.8.8.8",
    "8.8.8.8., 8.8.8.8",
    "1.1.1.01, 1.1.1.1",
    "08.8.8.8, 8.8.8.8",
  })
  void public_address_in_other_form_is_rejected(String host, String address) {
    InvalidInputException error = rejected("https://" + host + "/hook", DENY_PRIVATE);

    assertThat(error.field()).isEqualTo("url");
    assertThat(error).hasMessageStartingWith("url host " + host + " (read as " + address + ")");
    assertThat(error).hasMessageContaining("write the address in dotted-decimal form");
  }

  @Test
  void other_form_is_rejected_when_private_allowed() {
    InvalidInputException error = rejected("http://127.1/hook", AddressFilter.allowAll());

    assertThat(error).hasMessageContaining("in a form other than dotted decimal");
  }

  @Test
  void leading_zero_read_as_decimal_is_judged() {
    InvalidInputException error = rejected("http://0192.168.0.1/hook", DENY_PRIVATE);

    assertThat(error)
        .hasMessageStartingWith(
            "url host 0192.168.0.1 (read as 192.168.0.1) is rejected: a private address");
  }

  @Test
  void octal_reading_is_judged_besides_decimal() {
    InvalidInputException error = rejected("http://012.0.0.1/hook", DENY_PRIVATE);

    assertThat(error).hasMessageContaining("(read as 10.0.0.1)");
    assertThat(error).hasMessageContaining("a private address (10.0.0.0/8)");
  }

  @Test
  void decimal_reading_is_judged_besides_octal() {
    InvalidInputException error = rejected("http://010.0.0.1/hook", DENY_PRIVATE);

    assertThat(error).hasMessageContaining("(read as 10.0.0.1)");
    assertThat(error).hasMessageContaining("a private address (10.0.0.0/8)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4.5", "999.1.1.1", "1.2.3.256", "example.0x1g1"})
  void host_ending_in_bad_number_is_invalid(String host) {
    InvalidInputException error = rejected("http://" + host + "/hook", DENY_PRIVATE);

    assertThat(error.field()).isEqualTo("url");
    assertThat(error).hasMessageContaining("is invalid");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[::ffff:127.0.0.1]",
        "[::127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "[64:ff9b::127.0.0.1]",
        "[2002:7f00:1::]",
        "[::ffff:7f00:1]",
        "[::1%25lo]",
        "[::1%lo]",
        "[::ffff:127.0.0.1%25eth0]",
        "[64:ff9b::7f00:1%25eth0]",
      })
  void ipv6_form_of_loopback_is_rejected(String host) {
    InvalidInputException error = rejected("http://" + host + "/hook", DENY_PRIVATE);

    assertThat(error).hasMessageContaining("url host " + host + " is rejected");
    assertThat(error).hasMessageContaining("loopback address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[fe80::1%25eth0]", "[fe80::1%eth0]", "[fe80::1%2]"})
  void link_local_with_zone_id_is_rejected(String host) {
    InvalidInputException error = rejected("http://" + host + ":8080/", DENY_PRIVATE);

    assertThat(error).hasMessageContaining("a link-local address (fe80::/10)");
  }

  @Test
  void user_info_before_numeric_host_rejected() {
    InvalidInputException error = rejected("http://user:secret@127.1/hook", DENY_PRIVATE);

    assertThat(error).hasMessageContaining("must not contain user-info");
    assertThat(error).hasMessageNotContaining("secret");
  }

  @Test
  void malformed_host_keeps_its_message() {
    InvalidInputException error = rejected("http://exa mple.com/hook", DENY_PRIVATE);

    assertThat(error).hasMessageContaining("is not a valid URL");
  }

  @Test
  void unparsed_name_host_is_malformed() {
    InvalidInputException error = rejected("http://under_score.example.com/hook", DENY_PRIVATE);

    assertThat(error).hasMessageContaining("its host is missing or malformed");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://8.8.8.8/hook",
        "https://1.1.1.1:8443/hook",
        "https://[2606:4700::1111]/hook",
        "https://example.com/hook",
        "https://hooks.0x7f.example.com/in",
        "https://10.example.com/hook",
      })
  void public_url_is_accepted(String url) {
    URI uri = EndpointUrls.validate(url, DENY_PRIVATE);

    assertThat(uri).isEqualTo(URI.create(url));
  }

  @Test
  void allowed_range_is_accepted() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));

    URI uri = EndpointUrls.validate("http://10.20.3.4:8080/hook", filter);

    assertThat(uri.getHost()).isEqualTo("10.20.3.4");
  }

  @Test
  void address_outside_allowed_range_is_rejected() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));

    InvalidInputException error = rejected("http://10.21.0.1/hook", filter);

    assertThat(error).hasMessageContaining("a private address (10.0.0.0/8)");
  }

  @Test
  void allowed_range_still_needs_dotted_decimal() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));

    InvalidInputException error = rejected("http://10.20.772/hook", filter);

    assertThat(error).hasMessageStartingWith("url host 10.20.772 (read as 10.20.3.4) is rejected");
    assertThat(error).hasMessageContaining("dotted-decimal form");
  }

  @Test
  void allowed_ipv6_range_is_accepted() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("fd00:1234::/32"));

    URI uri = EndpointUrls.validate("https://[fd00:1234::5]/hook", filter);

    assertThat(uri.getHost()).isEqualTo("[fd00:1234::5]");
  }

  @Test
  void private_literal_accepted_when_allowed() {
    URI uri = EndpointUrls.validate("http://127.0.0.1:8080/hook", AddressFilter.allowAll());

    assertThat(uri.getPort()).isEqualTo(8080);
  }

  private static InvalidInputException rejected(String url, AddressFilter filter) {
    return assertThrows(InvalidInputException.class, () -> EndpointUrls.validate(url, filter));
  }

  @Test
  void label_over_63_characters_is_rejected() {
    String url = "https://" + "a".repeat(64) + ".example.com/hook";

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> EndpointUrls.validate(url, AddressFilter.denyPrivate()));

    assertThat(error.getMessage())
        .isEqualTo("url host has a label of 64 characters, over the 63 that DNS allows");
  }

  @Test
  void name_over_253_characters_is_rejected() {
    String host = String.join(".", Collections.nCopies(5, "a".repeat(60))) + ".com";
    String url = "https://" + host + "/hook";

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> EndpointUrls.validate(url, AddressFilter.denyPrivate()));

    assertThat(error.getMessage()).contains("over the 253 that DNS allows");
  }
}

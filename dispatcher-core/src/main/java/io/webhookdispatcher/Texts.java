package io.webhookdispatcher;

/** Helpers for quoting user input in error messages. */
final class Texts {
  private static final int MAX_QUOTED_LENGTH = 80;

  private Texts() {}

  /** Shortens a rejected value so that an error message stays readable, and escapes controls. */
  static String abbreviate(String value) {
    String shortened =
        value.length() <= MAX_QUOTED_LENGTH ? value : value.substring(0, MAX_QUOTED_LENGTH) + "...";
    StringBuilder escaped = new StringBuilder(shortened.length());
    for (int i = 0; i < shortened.length(); i++) {
      char c = shortened.charAt(i);
      if (Character.isISOControl(c)) {
        escaped.append(String.format("\\u%04x", (int) c));
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }

  static boolean hasControlCharacter(String value) {
    return value.chars().anyMatch(Character::isISOControl);
  }
}

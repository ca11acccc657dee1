package org.llamapro.cli;

/** Bad input from the user (a missing file, an impossible option): exit code 2, no stack trace. */
public final class UserInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserInputException(String message) {
    super(message);
  }
}

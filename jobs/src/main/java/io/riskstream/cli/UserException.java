package io.riskstream.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A mistake in what the user asked for (a missing file, an unknown topic): one line, exit code 2.
 */
public class UserException extends RuntimeException {
  public UserException(String message) {
    super(message);
  }

  /**
   * {@code path} cannot be written, with the reason in words (the file system's exceptions carry
   * only the path as their message).
   */
  static UserException cannotWrite(Path path, IOException e) {
    String reason;
    if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof FileAlreadyExistsException) {
      reason = e.getMessage() + " exists and is not a directory";
    } else if (e instanceof NoSuchFileException) {
      reason = e.getMessage() + " does not exist";
    } else if (e instanceof FileSystemException fs && fs.getReason() != null) {
      reason = fs.getReason();
    } else {
      reason = e.getMessage();
    }
    return new UserException("cannot write to " + path + ": " + reason);
  }
}

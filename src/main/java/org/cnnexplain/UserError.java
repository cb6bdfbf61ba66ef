package org.cnnexplain;

/**
 * A problem the user can fix: a missing file, a layer name that does not
 * exist, an image whose channels do not fit the model, an unsupported op.
 *
 * <p>The message is one line that names the problem and, where there is a
 * finite set of valid answers, lists them. Front ends (CLI, Fiji commands,
 * macros) show only the message, never the stack trace.
 */
public class UserError extends RuntimeException {

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}

/**
 * The command-line front end, {@code ./cnn-explain <command> [options]}.
 *
 * <p>Its command names, option names and output formats are a public interface
 * that scripts rely on: keep them stable. It is the only place besides the Fiji
 * plugin that reads and writes files. User errors print one line on stderr and
 * exit with code 2; no stack traces unless {@code --debug} is given.
 */
package org.cnnexplain.cli;

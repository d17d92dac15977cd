/**
 * Log files of supervised services. {@link dev.nexus.services.logs.RotatingLogWriter} is where a child's
 * output pumps write (size rotation, secret redaction, never throwing on a full disk);
 * {@link dev.nexus.services.logs.LogTail} and {@link dev.nexus.services.logs.LogFollower} read them back for
 * {@code nexus-services logs [-n N] [-f]} and the tray's log viewer without loading a file whole.
 *
 * <p>Rotated files are named {@code <file>.1} (newest) to {@code <file>.<keep>} (oldest), see
 * {@link dev.nexus.services.logs.LogFiles}.
 */
package dev.nexus.services.logs;

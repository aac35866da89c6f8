package dev.custos.connectors;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Runs an external tool (pg_dump, mariadb-dump, …) and streams its stdout. The one place where Custos starts
 * processes, so that timeouts, cancellation and secret handling are done once, and so that tests can put a fake in
 * its place (a tool that fails half-way, a recorder of argv and environment).
 *
 * <p>Contract of {@link #run}:
 * <ul>
 *   <li>the tool's stdout is copied to {@code stdout} as it comes, with bounded memory; {@code stdout} is not
 *       closed;</li>
 *   <li>stderr is read concurrently (a tool never blocks on a full stderr pipe) and kept as a bounded tail;</li>
 *   <li>a non-zero exit is not an exception: the caller reads {@link CommandResult#exitCode()};</li>
 *   <li>cancelling kills the tool's whole process tree and makes the call throw
 *       {@link Cancellation.CancelledException}; so does an interrupt of the calling thread;</li>
 *   <li>the command's timeout kills the tree too, and the call throws {@link CommandTimeoutException};</li>
 *   <li>an IOException thrown by {@code stdout} (storage failed) kills the tree and is rethrown as is;</li>
 *   <li>when the call returns or throws, the tool's process tree is gone.</li>
 * </ul>
 */
public interface CommandRunner {

    /**
     * @throws IOException the tool could not be started, its output could not be read, {@code stdout} or
     *                     {@code command.stdin()} failed, or the timeout passed ({@link CommandTimeoutException})
     */
    CommandResult run(Command command, OutputStream stdout, Cancellation cancellation) throws IOException;
}

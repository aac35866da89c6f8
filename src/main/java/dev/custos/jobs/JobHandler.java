package dev.custos.jobs;

/** What a kind of job does when {@link JobWorkers} runs it. */
public interface JobHandler {

    /** Runs a claimed job to its end and records the end; never throws for the job's own failure. */
    void run(String id, String node, RunningJob job);

    /** A line of progress for the execution log, every few heartbeats. */
    void progress(RunningJob job);

    /**
     * Fails the jobs of processes that died: every running job not {@code node}'s ({@code all}, at start-up on a
     * catalog only this process uses), or those whose lease expired before {@code now}.
     */
    void failOrphans(long now, boolean all, String node);
}

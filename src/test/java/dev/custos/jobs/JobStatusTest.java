package dev.custos.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The one table of allowed status changes, written out so a change to it is a visible change to this test. */
class JobStatusTest {

    @Test
    void exactlyTheseTransitionsAreAllowed() {
        List<String> allowed = new ArrayList<>();
        for (JobStatus from : JobStatus.values()) {
            for (JobStatus to : JobStatus.values()) {
                if (from.canBecome(to)) {
                    allowed.add(from.value() + " -> " + to.value());
                }
            }
        }
        assertThat(allowed).containsExactlyInAnyOrder(
                "pending -> in_progress", "pending -> cancelled", "pending -> failed",
                "in_progress -> completed", "in_progress -> failed", "in_progress -> cancelled");
    }

    @Test
    void finishedJobsNeverChangeAgain() {
        assertThat(List.of(JobStatus.values())).filteredOn(JobStatus::isFinal)
                .containsExactlyInAnyOrder(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED);
        assertThatThrownBy(() -> JobStatus.requireTransition(JobStatus.COMPLETED, JobStatus.FAILED))
                .isInstanceOf(IllegalStateException.class).hasMessage("a job cannot go from completed to failed");
    }

    @Test
    void valuesAreTheSpecsWords() {
        assertThat(JobStatus.allValues()).isEqualTo("pending, in_progress, completed, failed, cancelled");
        assertThat(JobStatus.fromValue("in_progress")).isEqualTo(JobStatus.IN_PROGRESS);
        assertThatThrownBy(() -> JobStatus.fromValue("done")).isInstanceOf(IllegalArgumentException.class);
    }
}

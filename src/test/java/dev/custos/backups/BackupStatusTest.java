package dev.custos.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The one table of allowed status changes, written out so a change to it is a visible change to this test. */
class BackupStatusTest {

    @Test
    void exactlyTheseTransitionsAreAllowed() {
        List<String> allowed = new ArrayList<>();
        for (BackupStatus from : BackupStatus.values()) {
            for (BackupStatus to : BackupStatus.values()) {
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
    void finishedBackupsNeverChangeAgain() {
        assertThat(List.of(BackupStatus.values())).filteredOn(BackupStatus::isFinal)
                .containsExactlyInAnyOrder(BackupStatus.COMPLETED, BackupStatus.FAILED, BackupStatus.CANCELLED);
        assertThatThrownBy(() -> BackupStatus.requireTransition(BackupStatus.COMPLETED, BackupStatus.FAILED))
                .isInstanceOf(IllegalStateException.class).hasMessage("a backup cannot go from completed to failed");
    }

    @Test
    void valuesAreTheSpecsWords() {
        assertThat(BackupStatus.allValues()).isEqualTo("pending, in_progress, completed, failed, cancelled");
        assertThat(BackupStatus.fromValue("in_progress")).isEqualTo(BackupStatus.IN_PROGRESS);
        assertThatThrownBy(() -> BackupStatus.fromValue("done")).isInstanceOf(IllegalArgumentException.class);
    }
}

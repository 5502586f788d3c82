package io.braid.scsi.internal;

import io.braid.scsi.SenseKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.braid.scsi.internal.Harness.NEXUS_A;
import static io.braid.scsi.internal.Harness.NEXUS_B;
import static io.braid.scsi.internal.SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED;
import static io.braid.scsi.internal.SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED;
import static io.braid.scsi.internal.SenseCode.CAPACITY_DATA_HAS_CHANGED;
import static io.braid.scsi.internal.SenseCode.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR;
import static io.braid.scsi.internal.SenseCode.INQUIRY_DATA_HAS_CHANGED;
import static io.braid.scsi.internal.SenseCode.MODE_PARAMETERS_CHANGED;
import static io.braid.scsi.internal.SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED;
import static io.braid.scsi.internal.SenseCode.REGISTRATIONS_PREEMPTED;
import static io.braid.scsi.internal.SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED;
import static io.braid.scsi.internal.SenseCode.RESERVATIONS_PREEMPTED;
import static io.braid.scsi.internal.SenseCode.RESERVATIONS_RELEASED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SAM-5 "Unit attention conditions": reporting order and what a reset replaces. */
class UnitAttentionPrecedenceTest {

    private final UnitAttentions ua = new UnitAttentions();

    private List<SenseCode> drain() {
        List<SenseCode> out = new ArrayList<>();
        SenseCode c;
        while ((c = ua.take(NEXUS_A)) != null) {
            out.add(c);
        }
        return out;
    }

    @Test
    void conditionsAreReportedInTheOrderOfTheTableWhateverOrderTheyArose() {
        ua.establish(NEXUS_A, ASYMMETRIC_ACCESS_STATE_CHANGED);
        ua.establish(NEXUS_A, INQUIRY_DATA_HAS_CHANGED);
        ua.establish(NEXUS_A, REPORTED_LUNS_DATA_HAS_CHANGED);
        ua.establish(NEXUS_A, CAPACITY_DATA_HAS_CHANGED);
        ua.establish(NEXUS_A, MODE_PARAMETERS_CHANGED);
        ua.establish(NEXUS_A, REGISTRATIONS_PREEMPTED);
        ua.establish(NEXUS_A, COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
        assertThat(ua.peek(NEXUS_A)).isEqualTo(COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
        assertThat(drain()).containsExactly(COMMANDS_CLEARED_BY_ANOTHER_INITIATOR, REGISTRATIONS_PREEMPTED,
                MODE_PARAMETERS_CHANGED, CAPACITY_DATA_HAS_CHANGED, REPORTED_LUNS_DATA_HAS_CHANGED,
                INQUIRY_DATA_HAS_CHANGED, ASYMMETRIC_ACCESS_STATE_CHANGED);
    }

    @Test
    void conditionsOfEqualRankKeepTheirOrder() {
        ua.establish(NEXUS_A, RESERVATIONS_RELEASED);
        ua.establish(NEXUS_A, REGISTRATIONS_PREEMPTED);
        ua.establish(NEXUS_A, RESERVATIONS_PREEMPTED);
        assertThat(drain()).containsExactly(RESERVATIONS_RELEASED, REGISTRATIONS_PREEMPTED, RESERVATIONS_PREEMPTED);
    }

    @Test
    void aConditionAlreadyPendingIsNotQueuedTwice() {
        ua.establish(NEXUS_A, MODE_PARAMETERS_CHANGED);
        ua.establish(NEXUS_A, CAPACITY_DATA_HAS_CHANGED);
        ua.establish(NEXUS_A, MODE_PARAMETERS_CHANGED);
        assertThat(drain()).containsExactly(MODE_PARAMETERS_CHANGED, CAPACITY_DATA_HAS_CHANGED);
    }

    @Test
    void aResetReplacesEveryLowerConditionButNotLaterOnes() {
        ua.establish(NEXUS_A, MODE_PARAMETERS_CHANGED);
        ua.establish(NEXUS_A, RESERVATIONS_PREEMPTED);
        ua.establish(NEXUS_A, BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        ua.establish(NEXUS_A, CAPACITY_DATA_HAS_CHANGED);
        assertThat(ua.pending(NEXUS_A)).containsExactly(BUS_DEVICE_RESET_FUNCTION_OCCURRED, CAPACITY_DATA_HAS_CHANGED);
        assertThat(drain()).containsExactly(BUS_DEVICE_RESET_FUNCTION_OCCURRED, CAPACITY_DATA_HAS_CHANGED);
    }

    @Test
    void aBroaderResetReplacesANarrowerOneAndNotTheOtherWayRound() {
        ua.establish(NEXUS_A, BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        ua.establish(NEXUS_A, POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertThat(ua.pending(NEXUS_A)).containsExactly(POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        ua.establish(NEXUS_A, MODE_PARAMETERS_CHANGED);
        ua.establish(NEXUS_A, BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertThat(ua.pending(NEXUS_A)).as("the pending power-on condition stands for the later reset too")
                .containsExactly(POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
    }

    @Test
    void nexusesAreIndependent() {
        ua.establish(NEXUS_A, MODE_PARAMETERS_CHANGED);
        ua.establish(NEXUS_B, POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertThat(ua.pending(NEXUS_A)).containsExactly(MODE_PARAMETERS_CHANGED);
        ua.discard(NEXUS_B);
        assertThat(ua.peek(NEXUS_B)).isNull();
        assertThat(ua.peek(NEXUS_A)).isEqualTo(MODE_PARAMETERS_CHANGED);
    }

    @Test
    void onlyUnitAttentionsCanBeEstablished() {
        assertThatThrownBy(() -> ua.establish(NEXUS_A, SenseCode.WRITE_PROTECTED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("WRITE_PROTECTED is not a unit attention");
    }

    @Test
    void theTableRanksEveryCodeOnceAndResetsHighest() {
        List<SenseCode> ranked = UnitAttentions.PRECEDENCE.stream().flatMap(List::stream).toList();
        assertThat(ranked).doesNotHaveDuplicates().allMatch(c -> c.key() == SenseKey.UNIT_ATTENTION);
        assertThat(ranked.subList(0, 2)).allMatch(c -> c.asc() == 0x29);
        assertThat(ranked.subList(2, ranked.size())).noneMatch(c -> c.asc() == 0x29);
    }

    /**
     * A random model check: whatever the sequence, what is pending is ordered by rank, holds each
     * code once, holds at most one reset, and holds nothing of lower rank that arose before it.
     */
    @Test
    void invariantsHoldForRandomSequences() {
        List<SenseCode> codes = Arrays.stream(SenseCode.values()).filter(c -> c.key() == SenseKey.UNIT_ATTENTION).toList();
        Random random = new Random(20261101L);
        for (int round = 0; round < 500; round++) {
            UnitAttentions u = new UnitAttentions();
            List<SenseCode> sinceLastReset = new ArrayList<>();
            for (int step = 0; step < 30; step++) {
                if (random.nextInt(5) == 0) {
                    u.take(NEXUS_A);
                    continue;
                }
                SenseCode c = codes.get(random.nextInt(codes.size()));
                u.establish(NEXUS_A, c);
                List<SenseCode> p = u.pending(NEXUS_A);
                assertThat(p).doesNotHaveDuplicates();
                if (c.asc() != 0x29) {
                    assertThat(p).contains(c);
                }
                assertThat(p.stream().filter(x -> x.asc() == 0x29).count()).isLessThanOrEqualTo(1);
                for (int i = 1; i < p.size(); i++) {
                    assertThat(UnitAttentions.rank(p.get(i - 1))).isLessThanOrEqualTo(UnitAttentions.rank(p.get(i)));
                }
                if (c.asc() == 0x29) {
                    assertThat(p).as("a reset leaves only itself or a broader reset").hasSize(1);
                    assertThat(UnitAttentions.rank(p.get(0))).isLessThanOrEqualTo(UnitAttentions.rank(c));
                    sinceLastReset.clear();
                } else {
                    sinceLastReset.add(c);
                }
                if (!p.isEmpty() && p.get(0).asc() == 0x29) {
                    assertThat(sinceLastReset).containsAll(p.subList(1, p.size()));
                }
            }
        }
    }
}

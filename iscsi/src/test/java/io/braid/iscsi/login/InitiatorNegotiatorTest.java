package io.braid.iscsi.login;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The initiator side against our own target side, and against misbehaving targets. */
class InitiatorNegotiatorTest {
    private static final LoginStage OP = LoginStage.OPERATIONAL_NEGOTIATION;

    private static Map<String, String> map(List<KeyValue> pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        pairs.forEach(kv -> m.put(kv.key(), kv.value()));
        return m;
    }

    @Test
    void bothSidesAgree() {
        InitiatorNegotiator.Preferences prefs = new InitiatorNegotiator.Preferences(
                List.of(Digest.CRC32C, Digest.NONE), List.of(Digest.NONE), 65536, 524288, 131072, 8, false, true, 2, 0);
        InitiatorNegotiator initiator = new InitiatorNegotiator(prefs, SessionType.NORMAL);
        Negotiator target = new Negotiator(new TargetLimits(262144, 1048576, 65536, 4, 1, 0,
                false, true, true, true, 2, 20, 1), SessionType.NORMAL);
        List<KeyValue> answers = target.respond(map(initiator.offers()), OP);
        answers = new java.util.ArrayList<>(answers);
        answers.addAll(target.declarations());
        assertThat(initiator.accept(map(answers))).isEmpty();
        NegotiatedParameters i = initiator.result();
        NegotiatedParameters t = target.result();
        assertThat(i.maxBurstLength()).isEqualTo(524288).isEqualTo(t.maxBurstLength());
        assertThat(i.firstBurstLength()).isEqualTo(65536).isEqualTo(t.firstBurstLength());
        assertThat(i.maxOutstandingR2T()).isEqualTo(4).isEqualTo(t.maxOutstandingR2T());
        assertThat(i.headerDigest()).isEqualTo(Digest.CRC32C).isEqualTo(t.headerDigest());
        // each side's receive limit is the other's send limit
        assertThat(i.initiatorMaxRecvDataSegmentLength()).isEqualTo(t.initiatorMaxRecvDataSegmentLength()).isEqualTo(65536);
        assertThat(i.targetMaxRecvDataSegmentLength()).isEqualTo(t.targetMaxRecvDataSegmentLength()).isEqualTo(262144);
        assertThat(i).isEqualTo(t);
    }

    @Test
    void initiatorAnswersTheTargetsOwnOffers() {
        InitiatorNegotiator initiator = new InitiatorNegotiator(InitiatorNegotiator.Preferences.defaults(), SessionType.NORMAL);
        initiator.offers();
        List<KeyValue> answers = initiator.accept(Map.of("TaskReporting", "FastAbort,RFC3720",
                "iSCSIProtocolLevel", "2", "X-com.example.Thing", "1", "OFMarker", "Yes"));
        assertThat(map(answers)).containsEntry("TaskReporting", "RFC3720").containsEntry("iSCSIProtocolLevel", "1")
                .containsEntry("X-com.example.Thing", "NotUnderstood").containsEntry("OFMarker", "No");
    }

    @Test
    void discoveryOffersOnlyWhatMatters() {
        InitiatorNegotiator initiator = new InitiatorNegotiator(InitiatorNegotiator.Preferences.defaults(), SessionType.DISCOVERY);
        assertThat(map(initiator.offers())).containsOnlyKeys("HeaderDigest", "DataDigest", "DefaultTime2Wait",
                "DefaultTime2Retain", "ErrorRecoveryLevel", "MaxRecvDataSegmentLength");
    }

    @Test
    void rejectAndIrrelevantKeepTheDefault() {
        InitiatorNegotiator initiator = new InitiatorNegotiator(InitiatorNegotiator.Preferences.defaults(), SessionType.NORMAL);
        initiator.offers();
        initiator.accept(Map.of("MaxBurstLength", "Reject", "InitialR2T", "Irrelevant"));
        assertThat(initiator.result().maxBurstLength()).isEqualTo(262144);
        assertThat(initiator.result().initialR2T()).isTrue();
    }

    @Test
    void inadmissibleAnswersAreTargetErrors() {
        assertTargetError(Map.of("HeaderDigest", "CRC32C"), "target answered HeaderDigest=CRC32C to the offer None");
        assertTargetError(Map.of("MaxBurstLength", "1048576"), "target answered MaxBurstLength=1048576 to the offer 262144");
        assertTargetError(Map.of("DefaultTime2Wait", "1"), "target answered DefaultTime2Wait=1 to the offer 2");
        assertTargetError(Map.of("InitialR2T", "No"), null); // OR with our No: any value is admissible
        assertTargetError(Map.of("ImmediateData", "Maybe"), "target answered ImmediateData=Maybe to the offer Yes");
        assertTargetError(Map.of("MaxOutstandingR2T", "NotUnderstood"),
                "target answered NotUnderstood for the standard key MaxOutstandingR2T");
        assertTargetError(Map.of("MaxRecvDataSegmentLength", "100"),
                "MaxRecvDataSegmentLength=100 is not a number in 512..16777215");
    }

    private static void assertTargetError(Map<String, String> response, String message) {
        InitiatorNegotiator initiator = new InitiatorNegotiator(InitiatorNegotiator.Preferences.defaults(), SessionType.NORMAL);
        initiator.offers();
        LoginException e = catchThrowableOfType(LoginException.class, () -> initiator.accept(response));
        if (message == null) {
            assertThat(e).isNull();
        } else {
            assertThat(e.status()).isEqualTo(LoginStatus.TARGET_ERROR);
            assertThat(e).hasMessage(message);
        }
    }

    @Test
    void declarationsAreRecorded() {
        InitiatorNegotiator initiator = new InitiatorNegotiator(InitiatorNegotiator.Preferences.defaults(), SessionType.NORMAL);
        initiator.offers();
        initiator.accept(Map.of("TargetAlias", "disk one", "TargetPortalGroupTag", "7", "MaxRecvDataSegmentLength", "1048576"));
        assertThat(initiator.targetAlias()).isEqualTo("disk one");
        assertThat(initiator.targetPortalGroupTag()).isEqualTo(7);
        assertThat(initiator.result().targetMaxRecvDataSegmentLength()).isEqualTo(1048576);
    }
}

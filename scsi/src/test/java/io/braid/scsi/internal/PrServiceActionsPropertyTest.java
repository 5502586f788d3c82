package io.braid.scsi.internal;

import io.braid.scsi.internal.PrServiceActions.Caller;
import io.braid.scsi.internal.PrServiceActions.Notice;
import io.braid.scsi.internal.PrServiceActions.Outcome;
import io.braid.scsi.internal.PrServiceActions.Request;
import io.braid.scsi.internal.PrState.Registrant;
import io.braid.scsi.internal.PrState.Registration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of PERSISTENT RESERVE OUT service actions from four I_T nexuses (two of them
 * one initiator port through two target ports): whatever happens, the state stays one SPC-5
 * allows and the rules every service action shares hold.
 */
class PrServiceActionsPropertyTest {

    private static final List<Caller> CALLERS = List.of(
            new Caller(new Registrant(new TransportId("iqn.a", 1), "t1"), 1),
            new Caller(new Registrant(new TransportId("iqn.a", 1), "t2"), 2),
            new Caller(new Registrant(new TransportId("iqn.b", 2), "t1"), 1),
            new Caller(new Registrant(new TransportId("iqn.c", 3), "t2"), 2));

    record Step(int caller, int serviceAction, int type, long key, long saKey, boolean allTgPt, boolean aptpl,
                boolean unreg, int moveTo) {
    }

    @Provide
    Arbitrary<List<Step>> scripts() {
        Arbitrary<Long> keys = Arbitraries.longs().between(0, 3);
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, CALLERS.size() - 1),
                Arbitraries.integers().between(0, 8),
                Arbitraries.of(0, 1, 2, 3, 5, 6, 7, 8, 0x11),
                keys, keys,
                Arbitraries.integers().between(0, 15), // ALL_TG_PT in a quarter, APTPL, UNREG
                Arbitraries.integers().between(0, CALLERS.size() - 1))
                .as((c, sa, t, k, sk, bits, to) -> new Step(c, sa, t, k, sk, (bits & 0xC) == 0xC, (bits & 1) != 0,
                        (bits & 2) != 0, to));
        return step.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 500)
    void invariantsHold(@ForAll("scripts") List<Step> script) throws IOException {
        PrState s = PrState.EMPTY;
        for (Step step : script) {
            Caller caller = CALLERS.get(step.caller());
            Caller target = CALLERS.get(step.moveTo());
            Request r = new Request(step.serviceAction(), step.type() >> 4, step.type() & 0x0F, step.key(), step.saKey(),
                    false, step.allTgPt(), step.aptpl(), step.unreg(),
                    step.serviceAction() == PrServiceActions.REGISTER_AND_MOVE
                            ? List.of(target.nexus().initiator()) : List.of(),
                    target.relativeTargetPortId());
            Outcome o;
            try {
                o = PrServiceActions.apply(s, caller, r, rtpi -> rtpi == 1 ? "t1" : rtpi == 2 ? "t2" : null);
            } catch (ReservationConflict | CheckCondition refused) {
                continue; // refused: the state is the old one by construction
            }
            PrState next = o.state();
            Registration mine = s.registrationOf(caller.nexus());
            int sa = step.serviceAction();
            if (sa == PrServiceActions.REPLACE_LOST_RESERVATION) {
                // Only reached in the lost condition (Reservations checks it): a fresh state.
                assertThat(next.generation()).isZero();
                assertThat(next.registrations()).hasSize(1);
                assertThat(next.registrationOf(caller.nexus()).key()).isEqualTo(step.saKey());
                assertThat(next.holds(next.registrationOf(caller.nexus()))).isTrue();
                assertThat(o.notices()).isEmpty();
                s = next;
                continue;
            }
            // PRGENERATION: never for RESERVE and RELEASE; exactly one for CLEAR, PREEMPT, MOVE.
            if (sa == PrServiceActions.RESERVE || sa == PrServiceActions.RELEASE) {
                assertThat(next.generation()).isEqualTo(s.generation());
                assertThat(next.registrations()).isEqualTo(s.registrations());
            } else if (next != s) {
                assertThat(next.generation()).isEqualTo(s.generation() + 1);
            }
            // Nobody but a registered nexus changes anything, except by registering itself.
            if (mine == null && next != s) {
                assertThat(sa).isIn(PrServiceActions.REGISTER, PrServiceActions.REGISTER_AND_IGNORE_EXISTING_KEY);
                assertThat(next.registrationOf(caller.nexus())).isNotNull();
            }
            // The sender never gets a unit attention of its own.
            for (Notice n : o.notices()) {
                assertThat(n.to().covers(caller.nexus())).isFalse();
            }
            if (sa == PrServiceActions.CLEAR) {
                assertThat(next.registrations()).isEmpty();
                assertThat(next.reservation()).isNull();
            }
            // A holder, or any registrant of an all registrants type, is never refused a command.
            for (Caller c : CALLERS) {
                Registration reg = next.registrationOf(c.nexus());
                if (next.holds(reg)) {
                    for (ReservationConflicts.Access a : ReservationConflicts.Access.values()) {
                        assertThat(ReservationConflicts.conflictsWithPersistent(next, c.nexus(), a)).isFalse();
                    }
                }
            }
            assertThat(PrStateCodec.decode(PrStateCodec.encode(next))).isEqualTo(next);
            s = next;
        }
    }
}

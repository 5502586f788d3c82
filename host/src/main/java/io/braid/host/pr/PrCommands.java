package io.braid.host.pr;

import io.braid.host.discovery.PathId;
import io.braid.host.iscsi.IscsiSession;
import io.braid.host.iscsi.ScsiOutcome;
import io.braid.host.iscsi.ScsiRequest;
import io.braid.host.scsi.ScsiStatus;
import io.braid.host.scsi.SenseData;
import io.braid.scsi.SenseKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * PERSISTENT RESERVE IN and OUT sent through one chosen path (one I_T nexus): the session of
 * that path, not the multipath device's path selection, because a registration belongs to the
 * I_T nexus that sends it (SPC-5 "Persistent reservations overview").
 *
 * <p>A UNIT ATTENTION is taken and the command sent again, at most {@value #ATTENTION_RETRIES}
 * times (a new nexus reports power on or reset first; a preempted one reports REGISTRATIONS
 * PREEMPTED). Any other outcome but GOOD becomes a {@link PrException}.
 *
 * <p>Blocking: the calling thread waits for the answer, at most the given bound per command.
 * Never call on a session's event loop.
 */
public final class PrCommands {
    /** Unit attentions taken before a command is given up. */
    static final int ATTENTION_RETRIES = 8;
    /** Room for READ KEYS / READ FULL STATUS answers: SPC-5 allows 65535 bytes per command. */
    static final int ALLOCATION_LENGTH = 0xFFFF;

    private final PathId path;
    private final IscsiSession session;
    private final Duration bound;

    /**
     * @param path    the path (its LUN is the LUN addressed)
     * @param session the path's session
     * @param bound   how long one command may take before the caller stops waiting
     */
    public PrCommands(PathId path, IscsiSession session, Duration bound) {
        this.path = path;
        this.session = session;
        this.bound = bound;
    }

    public PathId path() {
        return path;
    }

    /** PERSISTENT RESERVE OUT with the basic parameter list. */
    public void out(PrOutAction action, PrType type, long key, long serviceActionKey) throws PrException {
        byte[] cdb = PrCdbs.persistentReserveOut(action, type);
        ByteBuf list = Unpooled.wrappedBuffer(PrCdbs.parameterList(key, serviceActionKey, false));
        run(ScsiRequest.write(path.lun(), cdb, list), "PERSISTENT RESERVE OUT " + action).release();
    }

    public PrKeys readKeys() throws PrException {
        return PrKeys.parse(in(PrInAction.READ_KEYS));
    }

    public PrReservation readReservation() throws PrException {
        return PrReservation.parse(in(PrInAction.READ_RESERVATION));
    }

    public PrFullStatus readFullStatus() throws PrException {
        return PrFullStatus.parse(in(PrInAction.READ_FULL_STATUS));
    }

    private byte[] in(PrInAction action) throws PrException {
        ScsiOutcome.Good g = run(ScsiRequest.read(path.lun(), PrCdbs.persistentReserveIn(action, ALLOCATION_LENGTH),
                ALLOCATION_LENGTH), "PERSISTENT RESERVE IN " + action);
        try {
            ByteBuf d = g.data();
            byte[] b = new byte[d.readableBytes()];
            d.getBytes(d.readerIndex(), b);
            return b;
        } finally {
            g.release();
        }
    }

    private ScsiOutcome.Good run(ScsiRequest request, String what) throws PrException {
        if (!session.isLoggedIn()) {
            throw new PrException(PrException.Kind.NO_PATH, path, null, what + " on " + path
                    + ": the session is not logged in (" + session.stateReason() + ")");
        }
        for (int attempt = 0; ; attempt++) {
            ScsiOutcome o = await(request, what);
            boolean retry = attempt < ATTENTION_RETRIES;
            switch (o) {
                case ScsiOutcome.Good g -> {
                    return g;
                }
                case ScsiOutcome.CheckCondition c when c.sense() != null && c.sense().key() == SenseKey.UNIT_ATTENTION
                        && retry -> {
                    // Taken: the command did not run; send it again.
                }
                case ScsiOutcome.CheckCondition c -> {
                    SenseData s = c.sense();
                    throw new PrException(PrException.Kind.CHECK_CONDITION, path, s, what + " on " + path
                            + ": CHECK CONDITION " + (s == null ? "without sense data" : s.toString()));
                }
                case ScsiOutcome.OtherStatus st when st.scsiStatus() == ScsiStatus.RESERVATION_CONFLICT ->
                        throw new PrException(PrException.Kind.RESERVATION_CONFLICT, path, null, what + " on " + path
                                + ": RESERVATION CONFLICT");
                case ScsiOutcome.OtherStatus st -> throw new PrException(PrException.Kind.OTHER_STATUS, path, null,
                        what + " on " + path + ": status " + (st.scsiStatus() != null ? st.scsiStatus()
                                : String.format("0x%02x", st.status())));
                case ScsiOutcome.TransportFailure t -> throw new PrException(PrException.Kind.TRANSPORT, path, null,
                        what + " on " + path + ": " + t.kind() + ": " + t.message());
            }
        }
    }

    private ScsiOutcome await(ScsiRequest request, String what) throws PrException {
        var f = session.submit(request);
        try {
            return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new PrException(PrException.Kind.TRANSPORT, path, null, what + " on " + path
                    + ": no answer within " + bound.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(false);
            throw new PrException(PrException.Kind.TRANSPORT, path, null, what + " on " + path + ": interrupted");
        } catch (ExecutionException e) {
            throw new PrException(PrException.Kind.TRANSPORT, path, null, what + " on " + path + ": "
                    + e.getCause());
        }
    }
}

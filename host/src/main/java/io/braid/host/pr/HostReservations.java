package io.braid.host.pr;

import io.braid.host.HostAgent;
import io.braid.host.discovery.PathId;
import io.braid.host.multipath.Multipath;
import io.braid.host.multipath.MultipathDevice;
import io.braid.host.multipath.MultipathEvent;
import io.braid.host.multipath.MultipathListener;
import io.braid.host.multipath.ReservationRecovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * The host's {@link ReservationKeeper}s, one per multipath device, and the hook that feeds them
 * the driver's path events: a path added, reinstated or restored may get the key, a failed or
 * removed path may hand its reservation on. Events are handled in order on one thread
 * ({@code braid-pr}), never on the I/O threads that report them.
 */
public final class HostReservations implements MultipathListener, ReservationRecovery, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostReservations.class);

    private final Multipath multipath;
    private final HostAgent agent;
    private final Duration bound;
    private final Function<MultipathDevice, ReservationStrategy> strategies;
    private final Map<String, ReservationKeeper> keepers = new ConcurrentHashMap<>();
    /** Restores waiting to run, by device id and path: later requests share them. */
    private final Map<String, CompletableFuture<Boolean>> restoring = new ConcurrentHashMap<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "braid-pr");
        t.setDaemon(true);
        return t;
    });

    private HostReservations(Multipath multipath, Function<MultipathDevice, ReservationStrategy> strategies) {
        this.multipath = multipath;
        this.agent = multipath.agent();
        // A command's own timeout plus room for the abort that ends it.
        this.bound = agent.config().commandTimeout().multipliedBy(2);
        this.strategies = strategies;
    }

    /**
     * Starts following {@code multipath}'s events.
     *
     * @param strategies the strategy of a device, asked on every decision; null or a null answer
     *                   means {@link ReservationStrategy#DEFAULT}
     */
    public static HostReservations start(Multipath multipath, Function<MultipathDevice, ReservationStrategy> strategies) {
        HostReservations r = new HostReservations(multipath, strategies == null ? d -> null : strategies);
        multipath.addListener(r);
        multipath.reservationRecovery(r);
        return r;
    }

    /** The keeper of the device with this export name or id (made on first use). */
    public Optional<ReservationKeeper> keeper(String nameOrId) {
        return multipath.device(nameOrId).map(this::keeper);
    }

    private ReservationKeeper keeper(MultipathDevice d) {
        return keepers.computeIfAbsent(d.id(), id -> new ReservationKeeper(d, agent::session,
                agent.config().initiatorName(), bound, () -> strategies.apply(d)));
    }

    @Override
    public void deviceRemoved(MultipathDevice device) {
        keepers.remove(device.id());
    }

    @Override
    public void event(MultipathEvent e) {
        if (e.deviceId() == null || e.path() == null) {
            return;
        }
        ReservationKeeper k = keepers.get(e.deviceId());
        if (k == null) {
            return;
        }
        Runnable task = switch (e.type()) {
            case PATH_ADDED, PATH_REINSTATED, PATH_RESTORED -> () -> k.pathUp(e.path());
            case PATH_FAILED, PATH_REMOVED -> () -> k.pathFailed(e.path());
            default -> null;
        };
        if (task == null) {
            return;
        }
        try {
            events.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException x) {
                    log.warn("pr {}: {} handling failed: {}", k.device().name(), e.type().label(), x.toString(), x);
                }
            });
        } catch (RejectedExecutionException x) {
            // Closed.
        }
    }

    // ------------------------------------------------------------------ ReservationRecovery

    @Override
    public boolean keeps(MultipathDevice device) {
        ReservationKeeper k = keepers.get(device.id());
        return k != null && k.keeps();
    }

    /**
     * On the {@code braid-pr} thread, after the path events reported before it (so a move the
     * failure started is done first). Requests for the same device and path that arrive while one
     * waits to run share its answer, so a burst of conflicting writes costs one check.
     */
    @Override
    public CompletableFuture<Boolean> restore(MultipathDevice device, PathId path) {
        ReservationKeeper k = keepers.get(device.id());
        if (k == null) {
            return CompletableFuture.completedFuture(false);
        }
        String at = device.id() + "|" + path;
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> queued = restoring.putIfAbsent(at, mine);
        if (queued != null) {
            return queued;
        }
        try {
            events.execute(() -> {
                restoring.remove(at, mine);
                try {
                    mine.complete(k.restore(path));
                } catch (RuntimeException x) {
                    log.warn("pr {}: restoring after a reservation conflict failed: {}", device.name(), x.toString(), x);
                    mine.complete(false);
                }
            });
        } catch (RejectedExecutionException x) {
            restoring.remove(at, mine);
            mine.complete(false);
        }
        return mine;
    }

    /** Stops following events; registrations and reservations stay on the units. */
    @Override
    public void close() {
        if (multipath.reservationRecovery() == this) {
            multipath.reservationRecovery(null);
        }
        multipath.removeListener(this);
        events.shutdownNow();
        restoring.values().forEach(f -> f.complete(false));
    }
}

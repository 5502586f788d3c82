package io.braid.iscsi.login;

import io.braid.iscsi.target.ChapCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Initiator side of CHAP (RFC 1994; RFC 7143 12.1.3), for the host agent and for tests: offers
 * CHAP_A, answers the target's CHAP_A/CHAP_I/CHAP_C with CHAP_N/CHAP_R (plus its own CHAP_I and
 * CHAP_C for mutual CHAP), then checks the target's CHAP_N/CHAP_R.
 *
 * <p>A target that fails is reported by {@link LoginException} (AUTHENTICATION_FAILURE); the
 * initiator then drops the connection. MD5 is always offered, as RFC 7143 12.1.3 requires.
 */
public final class ChapResponder {
    private static final Logger log = LoggerFactory.getLogger(ChapResponder.class);

    /** Progress of the exchange. */
    public enum State {
        AWAITING_CHALLENGE,
        AWAITING_TARGET_RESPONSE,
        SUCCEEDED,
        FAILED;

        private static final Map<State, Set<State>> TRANSITIONS = Map.of(
                AWAITING_CHALLENGE, EnumSet.of(AWAITING_TARGET_RESPONSE, SUCCEEDED, FAILED),
                AWAITING_TARGET_RESPONSE, EnumSet.of(SUCCEEDED, FAILED),
                SUCCEEDED, EnumSet.noneOf(State.class),
                FAILED, EnumSet.noneOf(State.class));

        boolean canMoveTo(State next) {
            return TRANSITIONS.get(this).contains(next);
        }
    }

    private final ChapCredentials own;
    private final ChapCredentials target;
    private final List<ChapAlgorithm> offered;
    private final RandomGenerator random;

    private State state = State.AWAITING_CHALLENGE;
    private ChapAlgorithm algorithm;
    private int identifier;
    private byte[] challenge;
    private byte[] targetChallenge;

    /**
     * @param own        the initiator's user name and secret
     * @param target     the user name and secret the target must prove for mutual CHAP, or null
     *                   for one-way CHAP
     * @param preference algorithms to offer, most preferred first; MD5 is appended when missing
     */
    public ChapResponder(ChapCredentials own, ChapCredentials target, List<ChapAlgorithm> preference) {
        this(own, target, preference, new SecureRandom());
    }

    public ChapResponder(ChapCredentials own, ChapCredentials target, List<ChapAlgorithm> preference,
                         RandomGenerator random) {
        if (own == null) {
            throw new IllegalArgumentException("initiator credentials are required");
        }
        List<ChapAlgorithm> list = new ArrayList<>(preference);
        if (!list.contains(ChapAlgorithm.MD5)) {
            list.add(ChapAlgorithm.MD5);
        }
        this.own = own;
        this.target = target;
        this.offered = List.copyOf(list);
        this.random = random;
    }

    public State state() {
        return state;
    }

    public boolean mutual() {
        return target != null;
    }

    /** The algorithm the target chose, once it answered. */
    public ChapAlgorithm algorithm() {
        return algorithm;
    }

    /** {@code CHAP_A=<numbers>}, sent after the target answered AuthMethod=CHAP. */
    public KeyValue algorithmOffer() {
        return new KeyValue("CHAP_A", offered.stream().map(a -> Integer.toString(a.number()))
                .collect(Collectors.joining(",")));
    }

    /**
     * Answers the target's CHAP_A, CHAP_I and CHAP_C.
     *
     * @return CHAP_N and CHAP_R, plus CHAP_I and CHAP_C for mutual CHAP
     */
    public List<KeyValue> respond(Map<String, String> keys) {
        require(State.AWAITING_CHALLENGE);
        try {
            String a = keys.get("CHAP_A");
            String i = keys.get("CHAP_I");
            String c = keys.get("CHAP_C");
            if (a == null || i == null || c == null) {
                throw failure("target must send CHAP_A, CHAP_I and CHAP_C, sent " + keys.keySet());
            }
            Long number = Values.number(a);
            algorithm = number == null ? null : ChapAlgorithm.of(number);
            if (algorithm == null || !offered.contains(algorithm)) {
                throw failure("target chose CHAP_A=" + a + ", which was not offered");
            }
            Long id = Values.number(i);
            if (id == null || id < 0 || id > 255) {
                throw failure("target's CHAP_I is not a number 0..255");
            }
            targetChallenge = decode(c, "CHAP_C");
            List<KeyValue> out = new ArrayList<>(4);
            out.add(new KeyValue("CHAP_N", own.user()));
            out.add(new KeyValue("CHAP_R",
                    BinaryValue.hex(algorithm.response(id.intValue(), own.secret(), targetChallenge))));
            if (target != null) {
                identifier = random.nextInt(256);
                challenge = new byte[algorithm.challengeLength()];
                do {
                    random.nextBytes(challenge);
                } while (MessageDigest.isEqual(challenge, targetChallenge)); // never reflect the target's
                out.add(new KeyValue("CHAP_I", Integer.toString(identifier)));
                out.add(new KeyValue("CHAP_C", BinaryValue.hex(challenge)));
                moveTo(State.AWAITING_TARGET_RESPONSE);
            } else {
                moveTo(State.SUCCEEDED);
            }
            return List.copyOf(out);
        } catch (LoginException e) {
            fail();
            throw e;
        }
    }

    /**
     * Checks the target's CHAP_N and CHAP_R in the response that ends the security stage
     * (mutual CHAP only).
     */
    public void verifyTarget(Map<String, String> keys) {
        require(State.AWAITING_TARGET_RESPONSE);
        try {
            String n = keys.get("CHAP_N");
            String r = keys.get("CHAP_R");
            if (n == null || r == null) {
                throw failure("target did not send CHAP_N and CHAP_R for mutual CHAP");
            }
            byte[] response = decode(r, "CHAP_R");
            byte[] expected = algorithm.response(identifier, target.secret(), challenge);
            boolean nameOk = MessageDigest.isEqual(n.getBytes(StandardCharsets.UTF_8),
                    target.user().getBytes(StandardCharsets.UTF_8));
            boolean responseOk = MessageDigest.isEqual(response, expected);
            if (!nameOk || !responseOk) {
                throw failure(!nameOk ? "target's CHAP user name is not the expected one" : "target's CHAP response is wrong");
            }
            if (MessageDigest.isEqual(response, algorithm.response(identifier, own.secret(), challenge))) {
                throw failure("target uses the initiator's own CHAP secret");
            }
            moveTo(State.SUCCEEDED);
        } catch (LoginException e) {
            fail();
            throw e;
        }
    }

    private byte[] decode(String text, String key) {
        byte[] bytes;
        try {
            bytes = BinaryValue.decode(text);
        } catch (IllegalArgumentException e) {
            throw failure("target's " + key + ": " + e.getMessage());
        }
        if (bytes.length < 1 || bytes.length > ChapAlgorithm.MAX_BINARY_BYTES) {
            throw failure("target's " + key + " is " + bytes.length + " bytes; 1.." + ChapAlgorithm.MAX_BINARY_BYTES + " allowed");
        }
        if (key.equals("CHAP_R") && bytes.length != algorithm.digestLength()) {
            throw failure("target's CHAP_R is " + bytes.length + " bytes; " + algorithm + " gives " + algorithm.digestLength());
        }
        return bytes;
    }

    private void require(State expected) {
        if (state != expected) {
            throw new IllegalStateException("CHAP responder is " + state + ", not " + expected);
        }
    }

    private void fail() {
        if (state != State.FAILED) {
            moveTo(State.FAILED);
        }
    }

    private static LoginException failure(String reason) {
        return new LoginException(LoginStatus.AUTHENTICATION_FAILURE, reason);
    }

    private void moveTo(State next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("chap responder: " + state + " -> " + next + " is not allowed");
        }
        log.debug("chap responder: {} -> {}", state, next);
        state = next;
    }
}

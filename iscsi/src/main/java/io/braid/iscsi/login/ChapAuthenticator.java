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

/**
 * Target side of CHAP (RFC 1994; RFC 7143 12.1.3): after AuthMethod=CHAP, takes the
 * initiator's CHAP_A list and answers CHAP_A, CHAP_I, CHAP_C; then checks CHAP_N and CHAP_R and,
 * when the initiator sent its own CHAP_I and CHAP_C (mutual CHAP), answers CHAP_N and CHAP_R
 * with the target's credentials.
 *
 * <p>Every failure is a {@link LoginException} with {@link LoginStatus#AUTHENTICATION_FAILURE}.
 * Refused: an algorithm list without one we implement, a wrong user name or response, a response
 * of the wrong length, an initiator challenge equal to ours (reflection), a response computed
 * with the target's own secret (the same secret used in both directions, RFC 7143 12.1.3), and
 * mutual CHAP when no target credentials are configured. Responses are compared in constant
 * time. Secrets never reach a message or a log line. One instance serves one login, confined to
 * the connection's thread.
 */
public final class ChapAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(ChapAuthenticator.class);

    /** Progress of the exchange. */
    public enum State {
        AWAITING_ALGORITHM,
        AWAITING_RESPONSE,
        SUCCEEDED,
        FAILED;

        private static final Map<State, Set<State>> TRANSITIONS = Map.of(
                AWAITING_ALGORITHM, EnumSet.of(AWAITING_RESPONSE, FAILED),
                AWAITING_RESPONSE, EnumSet.of(SUCCEEDED, FAILED),
                // a CHAP key after success is a protocol violation that voids the login
                SUCCEEDED, EnumSet.of(FAILED),
                FAILED, EnumSet.noneOf(State.class));

        boolean canMoveTo(State next) {
            return TRANSITIONS.get(this).contains(next);
        }
    }

    private final ChapCredentials initiatorCredentials;
    private final ChapCredentials targetCredentials;
    private final RandomGenerator random;

    private State state = State.AWAITING_ALGORITHM;
    private ChapAlgorithm algorithm;
    private int identifier;
    private byte[] challenge;
    private boolean mutual;

    /**
     * @param initiatorCredentials what the initiator must prove it knows
     * @param targetCredentials    what the target answers with for mutual CHAP; null refuses
     *                             mutual CHAP
     */
    public ChapAuthenticator(ChapCredentials initiatorCredentials, ChapCredentials targetCredentials) {
        this(initiatorCredentials, targetCredentials, new SecureRandom());
    }

    /** With a given source of identifiers and challenges; tests pass a fixed one. */
    public ChapAuthenticator(ChapCredentials initiatorCredentials, ChapCredentials targetCredentials,
                             RandomGenerator random) {
        if (initiatorCredentials == null) {
            throw new IllegalArgumentException("initiator credentials are required");
        }
        this.initiatorCredentials = initiatorCredentials;
        this.targetCredentials = targetCredentials;
        this.random = random;
    }

    public State state() {
        return state;
    }

    public boolean succeeded() {
        return state == State.SUCCEEDED;
    }

    /** Whether the initiator asked the target to authenticate itself too. */
    public boolean mutual() {
        return mutual;
    }

    /** The chosen algorithm, or null before CHAP_A was answered. */
    public ChapAlgorithm algorithm() {
        return algorithm;
    }

    /** The user name the initiator authenticated as, once {@link #succeeded()}. */
    public String authenticatedUser() {
        return succeeded() ? initiatorCredentials.user() : null;
    }

    /**
     * Handles the CHAP keys of one Login Request and returns the keys to answer with.
     *
     * @param keys the request's CHAP_* keys (other keys are ignored)
     * @throws LoginException AUTHENTICATION_FAILURE, after which the authenticator is FAILED
     */
    public List<KeyValue> step(Map<String, String> keys) {
        try {
            return switch (state) {
                case AWAITING_ALGORITHM -> chooseAlgorithm(keys);
                case AWAITING_RESPONSE -> checkResponse(keys);
                case SUCCEEDED, FAILED -> throw failure("CHAP keys after the CHAP exchange ended");
            };
        } catch (LoginException e) {
            if (state != State.FAILED) {
                moveTo(State.FAILED);
            }
            throw e;
        }
    }

    private List<KeyValue> chooseAlgorithm(Map<String, String> keys) {
        String offered = keys.get("CHAP_A");
        if (offered == null) {
            throw failure("expected CHAP_A, got " + keys.keySet());
        }
        for (String k : keys.keySet()) {
            if (!k.equals("CHAP_A")) {
                throw failure(k + " sent before the target's challenge");
            }
        }
        List<String> items = Values.list(offered);
        if (items == null) {
            throw failure("CHAP_A is not a list of numbers");
        }
        for (String item : items) {
            Long n = Values.number(item);
            ChapAlgorithm a = n == null ? null : ChapAlgorithm.of(n);
            if (a != null) {
                algorithm = a;
                break;
            }
        }
        if (algorithm == null) {
            throw failure("none of the offered CHAP algorithms " + offered + " is supported (5, 6, 7, 8)");
        }
        identifier = random.nextInt(256);
        challenge = new byte[algorithm.challengeLength()];
        random.nextBytes(challenge);
        moveTo(State.AWAITING_RESPONSE);
        return List.of(new KeyValue("CHAP_A", Integer.toString(algorithm.number())),
                new KeyValue("CHAP_I", Integer.toString(identifier)),
                new KeyValue("CHAP_C", BinaryValue.hex(challenge)));
    }

    private List<KeyValue> checkResponse(Map<String, String> keys) {
        for (String k : keys.keySet()) {
            if (!k.equals("CHAP_N") && !k.equals("CHAP_R") && !k.equals("CHAP_I") && !k.equals("CHAP_C")) {
                throw failure(k + " is not expected with the CHAP response");
            }
        }
        String name = keys.get("CHAP_N");
        String responseText = keys.get("CHAP_R");
        if (name == null || responseText == null) {
            throw failure("CHAP_N and CHAP_R are required, got " + keys.keySet());
        }
        String initiatorId = keys.get("CHAP_I");
        String initiatorChallengeText = keys.get("CHAP_C");
        if ((initiatorId == null) != (initiatorChallengeText == null)) {
            throw failure("mutual CHAP needs both CHAP_I and CHAP_C");
        }
        byte[] response = decode(responseText, "CHAP_R");
        // Compare everything before deciding, so the timing does not tell which check failed.
        byte[] expected = algorithm.response(identifier, initiatorCredentials.secret(), challenge);
        boolean nameOk = MessageDigest.isEqual(name.getBytes(StandardCharsets.UTF_8),
                initiatorCredentials.user().getBytes(StandardCharsets.UTF_8));
        boolean responseOk = MessageDigest.isEqual(response, expected);
        if (!nameOk || !responseOk) {
            throw failure(!nameOk ? "unknown CHAP user name" : "wrong CHAP response for user "
                    + initiatorCredentials.user());
        }
        if (targetCredentials != null && MessageDigest.isEqual(response,
                algorithm.response(identifier, targetCredentials.secret(), challenge))) {
            throw failure("the initiator's CHAP secret equals the target's; refusing to use one secret both ways");
        }
        List<KeyValue> answer = new ArrayList<>(2);
        if (initiatorId != null) {
            mutual = true;
            if (targetCredentials == null) {
                throw failure("initiator asked for mutual CHAP but the target has no CHAP credentials");
            }
            Long id = Values.number(initiatorId);
            if (id == null || id < 0 || id > 255) {
                throw failure("CHAP_I is not a number 0..255");
            }
            byte[] initiatorChallenge = decode(initiatorChallengeText, "CHAP_C");
            if (MessageDigest.isEqual(initiatorChallenge, challenge)) {
                throw failure("initiator's CHAP_C equals the target's challenge (reflection)");
            }
            byte[] ours = algorithm.response(id.intValue(), targetCredentials.secret(), initiatorChallenge);
            answer.add(new KeyValue("CHAP_N", targetCredentials.user()));
            answer.add(new KeyValue("CHAP_R", BinaryValue.hex(ours)));
        }
        moveTo(State.SUCCEEDED);
        return List.copyOf(answer);
    }

    private byte[] decode(String text, String key) {
        byte[] bytes;
        try {
            bytes = BinaryValue.decode(text);
        } catch (IllegalArgumentException e) {
            throw failure(key + ": " + e.getMessage());
        }
        if (key.equals("CHAP_R") && bytes.length != algorithm.digestLength()) {
            throw failure("CHAP_R is " + bytes.length + " bytes; " + algorithm + " gives " + algorithm.digestLength());
        }
        if (bytes.length < 1 || bytes.length > ChapAlgorithm.MAX_BINARY_BYTES) {
            throw failure(key + " is " + bytes.length + " bytes; 1.." + ChapAlgorithm.MAX_BINARY_BYTES + " allowed");
        }
        return bytes;
    }

    private LoginException failure(String reason) {
        return new LoginException(LoginStatus.AUTHENTICATION_FAILURE, reason);
    }

    private void moveTo(State next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("chap: " + state + " -> " + next + " is not allowed");
        }
        log.debug("chap: {} -> {}", state, next);
        state = next;
    }
}

package io.braid.iscsi.login;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Login stages with their CSG/NSG codes (RFC 7143 11.12.3) and the allowed transitions:
 * a stage may only move to a later one (RFC 7143 6.3), so security may go to operational or
 * straight to full feature, operational only to full feature.
 */
public enum LoginStage {
    SECURITY_NEGOTIATION(0),
    OPERATIONAL_NEGOTIATION(1),
    FULL_FEATURE_PHASE(3);

    private static final Map<LoginStage, Set<LoginStage>> TRANSITIONS = Map.of(
            SECURITY_NEGOTIATION, EnumSet.of(OPERATIONAL_NEGOTIATION, FULL_FEATURE_PHASE),
            OPERATIONAL_NEGOTIATION, EnumSet.of(FULL_FEATURE_PHASE),
            FULL_FEATURE_PHASE, EnumSet.noneOf(LoginStage.class));

    private final int code;

    LoginStage(int code) {
        this.code = code;
    }

    /** The 2-bit stage code used in CSG and NSG. */
    public int code() {
        return code;
    }

    /** The stage for a 2-bit code, or null for the reserved code 2 and anything else. */
    public static LoginStage of(int code) {
        for (LoginStage s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }

    public boolean canTransitTo(LoginStage next) {
        return TRANSITIONS.get(this).contains(next);
    }
}

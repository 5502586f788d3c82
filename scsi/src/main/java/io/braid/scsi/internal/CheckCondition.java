package io.braid.scsi.internal;

import java.util.Objects;

/**
 * A task-scoped error: the command ends with CHECK CONDITION and this sense (SAM-5 "Status"). Thrown
 * by handlers and turned into a {@link io.braid.scsi.ScsiResult} by the dispatcher; carries no
 * stack trace because it is an expected outcome, not a bug.
 */
public final class CheckCondition extends RuntimeException {

    private final transient Sense sense;

    public CheckCondition(Sense sense) {
        super(describe(sense), null, false, false);
        this.sense = Objects.requireNonNull(sense, "sense");
    }

    public static CheckCondition of(SenseCode code) {
        return new CheckCondition(Sense.of(code));
    }

    /** ILLEGAL REQUEST / INVALID FIELD IN CDB pointing at {@code byteIndex}, bit {@code bit} (-1: whole byte). */
    public static CheckCondition invalidFieldInCdb(int byteIndex, int bit) {
        return new CheckCondition(Sense.of(SenseCode.INVALID_FIELD_IN_CDB, FieldPointer.cdb(byteIndex, bit)));
    }

    public Sense sense() {
        return sense;
    }

    private static String describe(Sense sense) {
        StringBuilder sb = new StringBuilder(sense.code().name());
        if (sense.fieldPointer() != null) {
            sb.append(" at ").append(sense.fieldPointer().commandData() ? "CDB" : "parameter list")
                    .append(" byte ").append(sense.fieldPointer().byteIndex());
            if (sense.fieldPointer().bit() >= 0) {
                sb.append(" bit ").append(sense.fieldPointer().bit());
            }
        }
        sense.information().ifPresent(i -> sb.append(" information=").append(Long.toUnsignedString(i)));
        return sb.toString();
    }
}

package io.braid.cli;

import io.braid.iscsi.target.ChapCredentials;
import io.braid.node.HostPort;
import io.braid.node.InitiatorAcl;
import io.braid.node.LunMapping;
import io.braid.node.NodeConfig;
import io.braid.node.PortalSpec;
import io.braid.node.Sizes;
import io.braid.node.VolumeSpec;
import io.braid.scsi.UnitFeature;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Flag value parsers; their messages become picocli's "Invalid value for option ..." errors. */
final class Converters {
    private Converters() {
    }

    /** {@code NAME:SIZE[:OPTION]...} from {@code --volume}. */
    record VolumeArg(String name, long sizeBytes, boolean readOnly, Set<UnitFeature> features,
                     VolumeSpec.Backing backing) {
        VolumeArg(String name, long sizeBytes) {
            this(name, sizeBytes, false, EnumSet.allOf(UnitFeature.class), VolumeSpec.Backing.FILE);
        }
    }

    /** The volume options of {@code --volume}: each switches one per-LUN feature off. */
    static final Map<String, UnitFeature> FEATURE_OFF = Map.of(
            "no-compare-and-write", UnitFeature.COMPARE_AND_WRITE,
            "no-extended-copy", UnitFeature.EXTENDED_COPY,
            "no-thin-provisioning", UnitFeature.THIN_PROVISIONING,
            "no-persistent-reservations", UnitFeature.PERSISTENT_RESERVATIONS);

    static final class PortalAddress implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value, PortalSpec.DEFAULT_PORT);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Address implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value, -1);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Volume implements ITypeConverter<VolumeArg> {
        @Override
        public VolumeArg convert(String value) {
            String[] parts = value.split(":", -1);
            if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new TypeConversionException("\"" + value
                        + "\" is not NAME:SIZE[:OPTION]... (e.g. v0:1G, logs:512M:ro, scratch:128M:memory)");
            }
            String name = parts[0];
            try {
                VolumeSpec.checkName(name);
                long size = Sizes.parse(parts[1]);
                VolumeSpec.checkSize(size);
                boolean readOnly = false;
                Set<UnitFeature> features = EnumSet.allOf(UnitFeature.class);
                VolumeSpec.Backing backing = VolumeSpec.Backing.FILE;
                for (int i = 2; i < parts.length; i++) {
                    if (parts[i].equals("ro")) {
                        readOnly = true;
                    } else if (parts[i].equals("memory") || parts[i].equals("file")) {
                        backing = VolumeSpec.Backing.parse(parts[i]);
                    } else if (FEATURE_OFF.containsKey(parts[i])) {
                        features.remove(FEATURE_OFF.get(parts[i]));
                    } else {
                        throw new IllegalArgumentException("\"" + parts[i]
                                + "\" is not a volume option (ro, memory, file, " + String.join(", ", new java.util.TreeSet<>(FEATURE_OFF.keySet())) + ")");
                    }
                }
                if (readOnly && backing == VolumeSpec.Backing.MEMORY) {
                    throw new IllegalArgumentException("volume \"" + name + "\": a memory volume cannot be read-only"
                            + " (it starts empty, so it would only ever read zeroes)");
                }
                return new VolumeArg(name, size, readOnly, features, backing);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code IQN=VOLUME[:ro][,VOLUME[:ro]]...} from {@code --acl}. */
    static final class Acl implements ITypeConverter<InitiatorAcl> {
        @Override
        public InitiatorAcl convert(String value) {
            int eq = value.indexOf('=');
            if (eq <= 0 || eq == value.length() - 1) {
                throw new TypeConversionException("\"" + value
                        + "\" is not IQN=VOLUME[:ro][,VOLUME[:ro]...] (e.g. iqn.2004-10.com.example:host1=v0,logs:ro)");
            }
            try {
                List<LunMapping> volumes = new ArrayList<>();
                for (String item : value.substring(eq + 1).split(",", -1)) {
                    boolean readOnly = item.endsWith(":ro");
                    String volume = readOnly ? item.substring(0, item.length() - 3) : item;
                    VolumeSpec.checkName(volume);
                    volumes.add(new LunMapping(volume, readOnly));
                }
                return new InitiatorAcl(value.substring(0, eq), volumes);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A byte size such as {@code 16G}. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Sizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code USER:SECRET}; the secret may itself contain colons and is never echoed. */
    static final class Chap implements ITypeConverter<ChapCredentials> {
        @Override
        public ChapCredentials convert(String value) {
            int colon = value.indexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new TypeConversionException("expected USER:SECRET");
            }
            try {
                return NodeConfig.chap(value.substring(0, colon), value.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

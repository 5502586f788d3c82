package io.braid.cli;

import io.braid.iscsi.target.ChapCredentials;
import io.braid.node.HostPort;
import io.braid.node.NodeConfig;
import io.braid.node.PortalSpec;
import io.braid.node.Sizes;
import io.braid.node.VolumeSpec;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Flag value parsers; their messages become picocli's "Invalid value for option ..." errors. */
final class Converters {
    private Converters() {
    }

    /** {@code NAME:SIZE} from {@code --volume}. */
    record VolumeArg(String name, long sizeBytes) {
    }

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
            int colon = value.indexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new TypeConversionException("\"" + value
                        + "\" is not NAME:SIZE (e.g. v0:1G)");
            }
            String name = value.substring(0, colon);
            try {
                VolumeSpec.checkName(name);
                long size = Sizes.parse(value.substring(colon + 1));
                VolumeSpec.checkSize(size);
                return new VolumeArg(name, size);
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

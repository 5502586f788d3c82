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

    /** {@code NAME:SIZE[:BACKING]} from {@code --volume}. */
    record VolumeArg(String name, long sizeBytes, VolumeSpec.Backing backing) {
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
            String[] parts = value.split(":", -1);
            if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new TypeConversionException("\"" + value
                        + "\" is not NAME:SIZE or NAME:SIZE:BACKING (e.g. v0:1G, scratch:128M:memory)");
            }
            try {
                VolumeSpec.checkName(parts[0]);
                long size = Sizes.parse(parts[1]);
                VolumeSpec.checkSize(size);
                VolumeSpec.Backing backing = parts.length == 3 ? VolumeSpec.Backing.parse(parts[2])
                        : VolumeSpec.Backing.FILE;
                return new VolumeArg(parts[0], size, backing);
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

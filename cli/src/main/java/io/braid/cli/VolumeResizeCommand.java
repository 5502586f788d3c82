package io.braid.cli;

import io.braid.node.Sizes;
import io.braid.node.api.ManagementApi;
import io.braid.node.api.VolumeView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code braid volume resize NAME SIZE}: grow a volume while it is served. */
@Command(name = "resize", description = "Grow a volume online; initiators get a CAPACITY DATA HAS"
        + " CHANGED unit attention. Volumes never shrink.")
final class VolumeResizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The volume.")
    String name;

    @Parameters(index = "1", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "The new size, e.g. 2G (binary units).")
    long size;

    @Mixin
    InstanceOptions instance;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        VolumeView v = instance.client().resizeVolume(name, size);
        return output.print(ManagementApi.JSON, v, (out, unused) -> {
            out.println("volume " + v.name() + " (LUN " + v.lun() + ") is now " + Sizes.format(v.sizeBytes()));
        });
    }
}

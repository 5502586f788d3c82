package io.braid.cli;

import io.braid.host.api.DeviceView;
import io.braid.host.api.HostControlApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code braid host devices [DEVICE]}: the multipath devices and their paths, as multipath -ll shows them. */
@Command(name = "devices", description = {"Show the host agent's multipath devices and their paths.",
        "JSON: each device with its paths list; each path with hostPort, storagePort, state,",
        "aluaState, queueDepth, latencyMicros."})
final class HostDevicesCommand implements Callable<Integer> {

    @Mixin
    HostInstanceOptions instance;

    @Parameters(arity = "0..1", paramLabel = "DEVICE", description = "Only this device (export name or id).")
    String device;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        HostApiClient client = instance.client();
        List<DeviceView> devices = device == null ? client.devices() : List.of(client.device(device));
        return output.print(HostControlApi.JSON, device == null ? devices : devices.get(0), (out, unused) -> {
            HostListing.devices(out, devices);
        });
    }
}

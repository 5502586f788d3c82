package io.braid.node.api;

import java.util.List;

/** What the management API reads from the node; called on Jetty request threads. */
public interface NodeView {
    StatusView status();

    List<VolumeView> volumes();
}

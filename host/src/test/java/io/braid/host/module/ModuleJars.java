package io.braid.host.module;

import io.braid.policy.spi.PolicyModule;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Packs compiled test modules into module jars, as a vendor's build would. */
final class ModuleJars {
    private ModuleJars() {
    }

    /**
     * A jar with every class of {@code module}'s top-level class (nested ones included), a service
     * file naming {@code module}, and {@code version} as Implementation-Version.
     */
    static Path jar(Path out, Class<? extends PolicyModule> module, String version) throws IOException {
        Class<?> top = module;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        Path classes;
        try {
            classes = Path.of(top.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        String dir = top.getPackageName().replace('.', '/');
        String prefix = top.getSimpleName();
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        Files.createDirectories(out.getParent());
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os, mf);
             Stream<Path> files = Files.list(classes.resolve(dir))) {
            List<Path> mine = files.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals(prefix + ".class") || n.startsWith(prefix + "$");
            }).sorted().toList();
            for (Path p : mine) {
                jar.putNextEntry(new JarEntry(dir + "/" + p.getFileName()));
                try (InputStream in = Files.newInputStream(p)) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
            jar.putNextEntry(new JarEntry("META-INF/services/" + PolicyModule.class.getName()));
            jar.write((module.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return out;
    }
}

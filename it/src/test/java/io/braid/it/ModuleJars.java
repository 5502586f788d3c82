package io.braid.it;

import io.braid.policy.spi.PolicyModule;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Module jars for the tests: compiled test modules packed as a vendor's build would, and re-versioned copies. */
final class ModuleJars {
    private ModuleJars() {
    }

    /** A jar of {@code module}'s top-level class and its nested classes, with a service file naming it. */
    static Path jar(Path out, Class<? extends PolicyModule> module, String version) throws IOException {
        Class<?> top = module;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        Path classes = location(top);
        String dir = top.getPackageName().replace('.', '/');
        String prefix = top.getSimpleName();
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os, manifest(version));
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

    /**
     * The example module's jar as the build made it ({@code examples/latency-policy}); when the
     * build put its classes directory on the class path instead, a jar of that directory.
     */
    static Path example(Path dir, Class<?> moduleClass, String version) throws IOException {
        Path where = location(moduleClass);
        Path out = dir.resolve("latency-policy-" + version + ".jar");
        Files.createDirectories(dir);
        if (Files.isRegularFile(where)) {
            return copyWithVersion(where, out, version);
        }
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os, manifest(version));
             Stream<Path> files = Files.walk(where)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = where.relativize(p).toString().replace('\\', '/');
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(name));
                try (InputStream in = Files.newInputStream(p)) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
        return out;
    }

    /** A copy of a module jar whose manifest says {@code version}. */
    static Path copyWithVersion(Path src, Path out, String version) throws IOException {
        try (JarFile in = new JarFile(src.toFile()); OutputStream os = Files.newOutputStream(out);
             JarOutputStream jar = new JarOutputStream(os, manifest(version))) {
            Enumeration<JarEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.getName().equalsIgnoreCase("META-INF/MANIFEST.MF") || e.isDirectory()) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
        return out;
    }

    private static Manifest manifest(String version) {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        return mf;
    }

    private static Path location(Class<?> c) throws IOException {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}

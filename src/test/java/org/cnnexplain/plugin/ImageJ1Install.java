package org.cnnexplain.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * An ImageJ 1 "installation" for tests: a folder whose {@code plugins/} holds a
 * jar with our {@code plugins.config}, the way a user installs the plugin. The
 * classes themselves come from the test classpath (ImageJ's plugin class loader
 * asks its parent first).
 */
final class ImageJ1Install {

    private ImageJ1Install() {
    }

    /** Creates the folder and points ImageJ at it; call before ImageJ builds its menus. */
    static Path create() throws IOException {
        Path home = Files.createTempDirectory("cnn-explain-ij");
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        try (OutputStream out = Files.newOutputStream(plugins.resolve("CNN_Explain.jar"));
             JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("plugins.config"));
            jar.write(Files.readAllBytes(Path.of("src/main/resources/plugins.config")));
            jar.closeEntry();
        }
        System.setProperty("plugins.dir", home.toString());
        return home;
    }

    /** A display for ImageJ's windows in this JVM: the one given, or an Xvfb started for the test (see VirtualDisplay). */
    static boolean hasDisplay() {
        return org.cnnexplain.testutil.VirtualDisplay.forThisJvm();
    }
}

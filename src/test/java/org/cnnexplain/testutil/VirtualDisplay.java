package org.cnnexplain.testutil;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * An X display for the ImageJ 1 GUI and macro tests, so that plain {@code mvn test} runs them on a
 * machine without {@code xvfb-run}: the display the tests were started with, or else an
 * {@code Xvfb} this JVM starts on a free display number (and stops when it exits). With neither,
 * the tests that need one are skipped with a message saying what to install.
 *
 * <pre>{@code
 * @EnabledIf("org.cnnexplain.testutil.VirtualDisplay#forThisJvm")   // AWT in this JVM
 * String display = VirtualDisplay.forChildProcesses();               // DISPLAY for an ImageJ process
 * }</pre>
 */
public final class VirtualDisplay {

    private static String display;
    private static boolean searched;

    private VirtualDisplay() {
    }

    /**
     * A display for processes this test starts ({@code DISPLAY} in their environment), or null
     * (with a message on stderr) when there is none and no Xvfb to start.
     */
    public static synchronized String forChildProcesses() {
        if (!searched) {
            searched = true;
            String given = System.getenv("DISPLAY");
            display = given != null && !given.isBlank() ? given : startXvfb();
            if (display == null) {
                System.err.println("cnn-explain tests: no X display and no Xvfb on PATH: the ImageJ 1 GUI, macro and "
                        + "install tests are SKIPPED (install Debian's 'xvfb' package to run them)");
            }
        }
        return display;
    }

    /**
     * True when AWT in this JVM can open windows. Call it before anything touches AWT (as the
     * {@code @EnabledIf} condition of the test class, which runs in its own JVM): a display this
     * method starts is put into the process's native environment, where AWT's X11 code reads it.
     */
    public static synchronized boolean forThisJvm() {
        if (Boolean.getBoolean("java.awt.headless")) {
            return false;
        }
        String d = forChildProcesses();
        if (d == null) {
            return false;
        }
        if (System.getenv("DISPLAY") == null) {
            LibC.INSTANCE.setenv("DISPLAY", d, 1);
            // the headless default looks at System.getenv, a snapshot from before setenv
            System.setProperty("java.awt.headless", "false");
        }
        return !java.awt.GraphicsEnvironment.isHeadless();
    }

    /** Starts Xvfb on the first free display ({@code -displayfd} reports which, once it accepts clients). */
    private static String startXvfb() {
        String xvfb = onPath("Xvfb");
        if (xvfb == null) {
            return null;
        }
        try {
            // Stopped by a watchdog once this JVM has gone, not by a shutdown hook: AWT keeps its
            // X connection until the very end, and a server that vanishes first makes the JVM exit with 1.
            String script = "\"$0\" -displayfd 1 -screen 0 1280x1024x24 -nolisten tcp 2>/dev/null & x=$!; "
                    + "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && kill -0 $x 2>/dev/null; "
                    + "do sleep 1; done; kill $x 2>/dev/null";
            Process p = new ProcessBuilder("sh", "-c", script, xvfb).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            String number = out.readLine();
            if (number == null || !number.trim().matches("\\d+")) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
                return null;
            }
            return ":" + number.trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);
    }
}

package org.cnnexplain.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What every task needs, shipped once with the job: the CLI command and its option list (as the user typed
 * it, paths made absolute), the output folder, the Hadoop settings of the driver, and the run's switches.
 *
 * @param markers   the folder of this command's completion markers ({@code <output>/_cnnexplain/<key>-<hash>})
 * @param threads   libtorch's threads per executor JVM (Spark's {@code spark.task.cpus})
 * @param failOnce  test hook: the image whose task fails once, at its first attempt, mid-way through
 *                  publishing (null in real runs)
 */
record JobSpec(String command, List<String> cliArgs, String output, String markers, boolean resume,
               Map<String, String> hadoop, int threads, String failOnce) implements Serializable {

    org.apache.hadoop.conf.Configuration hadoopConf() {
        org.apache.hadoop.conf.Configuration c = new org.apache.hadoop.conf.Configuration(false);
        hadoop.forEach(c::set);
        return c;
    }
}

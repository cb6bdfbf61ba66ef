/**
 * Explaining a whole screen on Apache Spark: {@code spark-submit --class org.cnnexplain.spark.SparkExplain}
 * (or {@code ./cnn-explain spark --master local[2] ...}) runs any image-by-image CLI command over a folder,
 * glob or list of image paths on any Hadoop file system.
 *
 * <p>The top of the layering, beside {@code cli}: it hands each executor the CLI's own option list and calls
 * the CLI's per-image entry point ({@link org.cnnexplain.cli.ImageJob}), so a Spark run writes the same files,
 * computed by the same code, as {@code cnn-explain <command>} on one machine. Spark is a {@code provided}
 * dependency: the Fiji plugin jar leaves this package out, {@code mvn -Pspark package} builds the jar for
 * spark-submit.
 *
 * <p>Driver: {@link org.cnnexplain.spark.SparkExplain} (arguments, session, summary) lists the images
 * ({@link org.cnnexplain.spark.InputImages}) and writes the table ({@link org.cnnexplain.spark.PredictionTable}).
 * Executors: {@link org.cnnexplain.spark.ExplainPartition} explains a partition of paths with the job of
 * {@link org.cnnexplain.spark.ExecutorJobs} (one model load per JVM) and publishes every file through
 * {@link org.cnnexplain.spark.OutputDir} (temporary name, then rename; a marker per finished image for
 * {@code --resume}).
 */
package org.cnnexplain.spark;

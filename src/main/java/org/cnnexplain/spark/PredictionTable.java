package org.cnnexplain.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.format_string;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cnnexplain.cli.ImageJob;

/**
 * The table of a run, {@code predictions.parquet}: one row per image and plane, whatever the model, so
 * scripts can rely on its columns.
 *
 * <pre>
 * image            string         the input's full path (hdfs://.../cell_004.tif)
 * name             string         its file name, as in the CLI's predictions.csv
 * slice            int            the plane, from 1 (null when the image failed)
 * predicted_index  int            the top class
 * predicted_class  string
 * probability      double         of the top class
 * classes          array&lt;string&gt;  the model's class names, in score order
 * probabilities    array&lt;float&gt;   per class (softmax or sigmoid, as the CLI)
 * scores           array&lt;float&gt;   per class, before the activation
 * outputs          array&lt;string&gt;  the files written for the image (full paths, main map first)
 * error            string         why the image failed (one line, as the CLI says it), else null
 * resumed          boolean        true when --resume found the image done by an earlier run
 * </pre>
 * A failed image is one row with its error and nulls. {@code --csv} also writes {@code predictions.csv}
 * with the CLI's columns ({@code image,slice,predicted_index,predicted_class,probability,p_<class>...})
 * and {@code outputs}, {@code error} after them.
 */
final class PredictionTable {

    static final StructType SCHEMA = new StructType()
            .add("image", DataTypes.StringType, false)
            .add("name", DataTypes.StringType, false)
            .add("slice", DataTypes.IntegerType, true)
            .add("predicted_index", DataTypes.IntegerType, true)
            .add("predicted_class", DataTypes.StringType, true)
            .add("probability", DataTypes.DoubleType, true)
            .add("classes", DataTypes.createArrayType(DataTypes.StringType, false), true)
            .add("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("scores", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("outputs", DataTypes.createArrayType(DataTypes.StringType, false), true)
            .add("error", DataTypes.StringType, true)
            .add("resumed", DataTypes.BooleanType, false);

    static final String PARQUET = "predictions.parquet";
    static final String CSV = "predictions.csv";

    private PredictionTable() {
    }

    /** The rows of one explained image: one per plane. */
    static List<Row> rows(String image, ImageJob.Result r, List<String> outputs, boolean resumed) {
        List<Row> rows = new ArrayList<>();
        String[] classes = r.classes().toArray(new String[0]);
        String[] files = outputs.toArray(new String[0]);
        for (ImageJob.Plane p : r.planes()) {
            rows.add(RowFactory.create(image, new Path(image).getName(), p.slice(), p.predictedIndex(),
                    p.predictedClass(), p.probability(), classes, boxed(p.probabilities()), boxed(p.scores()),
                    files, null, resumed));
        }
        return rows;
    }

    static Row failed(String image, String error) {
        return RowFactory.create(image, new Path(image).getName(), null, null, null, null, null, null, null, null,
                error, false);
    }

    private static Float[] boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

    /**
     * {@code predictions.csv} in the output folder, one file, rows by image and plane: Spark writes it as a
     * folder of one part, which is then moved into place.
     */
    static void writeCsv(Dataset<Row> table, OutputDir out) throws IOException {
        List<Row> withClasses = table.filter(col("classes").isNotNull()).select("classes").limit(1).collectAsList();
        List<String> classes = withClasses.isEmpty() ? List.of() : withClasses.get(0).getList(0);
        List<Column> columns = new ArrayList<>(List.of(col("name").as("image"), col("slice"), col("predicted_index"),
                col("predicted_class"), format_string("%.6f", col("probability")).as("probability")));
        for (int k = 0; k < classes.size(); k++) {
            columns.add(format_string("%.6f", col("probabilities").getItem(k)).as("p_" + classes.get(k).replace(',', '_')));
        }
        columns.add(concat_ws(";", col("outputs")).as("outputs"));
        columns.add(col("error"));
        Path parts = out.resolve("." + CSV + ".parts");
        table.orderBy("name", "slice").select(columns.toArray(new Column[0])).coalesce(1).write().mode("overwrite")
                .option("header", "true").option("emptyValue", "").csv(parts.toString());
        FileStatus[] csv = out.fs().globStatus(new Path(parts, "part-*"));
        if (csv == null || csv.length != 1) {
            throw new IOException("Spark wrote no single CSV part under " + parts);
        }
        Path target = out.resolve(CSV);
        if (out.fs().exists(target)) {
            out.fs().delete(target, false);
        }
        if (!out.fs().rename(csv[0].getPath(), target)) {
            throw new IOException("could not move " + csv[0].getPath() + " to " + target);
        }
        out.fs().delete(parts, true);
    }
}

package org.cnnexplain.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules as text, JSON and CSV, with atlas rows next to the channels, on a table built by hand. */
class RuleReportTest {

    @TempDir
    Path tmp;

    /** 12 images, 3 channels: class 1 ("mitotic") where ch 2 > 4, else class 0; ch 0 and 1 are noise. */
    static ActivationTable table() {
        ActivationTable t = new ActivationTable(3);
        for (int i = 0; i < 12; i++) {
            float ch2 = i < 6 ? i * 0.5f : 5 + i;
            t.add(new ActivationTable.Row("img" + i + ".tif", 1, i < 6 ? 0 : 1, new float[] {i % 3, (i * 7) % 5, ch2}));
        }
        return t;
    }

    static RuleReport report(ActivationTable t, AtlasRows atlas) {
        Cart.Params p = new Cart.Params(3, 2, 0.0);
        RuleReport.Setting s = new RuleReport.Setting("m.onnx", "block4", "/block4/Relu", Pooling.MAX,
                List.of("interphase", "mitotic"), p, 3, 0);
        return new RuleReport(s, Rules.fit(t, 2, p, 3, 0), t, atlas);
    }

    @Test
    void rulesReadAsTheIssueWritesThemWithTheAtlasRowsOfTheirChannels() throws Exception {
        Files.writeString(tmp.resolve("atlas.csv"), String.join("\n",
                "layer,channel,rank,image,slice,x,y,activation,rf_x0,rf_y0,rf_x1,rf_y1",
                "block4,2,2,\"cells, plate 2.tif\",1,40,12,7.25,30,2,50,22",
                "block4,2,1,img9.tif,3,61,40,9.5,51,30,71,50",
                "block4,2,3,img8.tif,1,5,6,6.125,0,0,15,16",
                "block4,2,4,img7.tif,1,5,6,6,0,0,15,16",
                "block3,2,1,other.tif,1,1,1,99,0,0,3,3",
                "block4,0,1,img0.tif,1,1,1,2,0,0,3,3", ""));
        AtlasRows atlas = AtlasRows.read(tmp, List.of("block4", "/block4/Relu"));
        RuleReport r = report(table(), atlas);
        String text = r.text();
        assertTrue(text.contains("Fidelity (agreement with the model): 1.000 on all 12 images"), text);
        // ch 2 splits between 2.5 (i = 5) and 11 (i = 6): half-way 6.75
        assertTrue(text.contains("1. IF block4 ch 2 (max) ≤ 6.75 THEN interphase   [fidelity 1.00, 6 images, coverage 50 %]\n"
                + "     ch 2 in the atlas: img9.tif slice 3 (61, 40) 9.5 · cells, plate 2.tif (40, 12) 7.25"
                + " · img8.tif (5, 6) 6.13\n"), text);
        assertTrue(text.contains("2. IF block4 ch 2 (max) > 6.75 THEN mitotic   [fidelity 1.00, 6 images, coverage 50 %]"),
                text);
        JsonObject json = r.json();
        assertEquals(1.0, json.get("heldout_fidelity").getAsDouble());
        JsonObject tree = json.getAsJsonObject("tree");
        assertEquals(2, tree.get("channel").getAsInt());
        assertEquals(6.75, tree.get("threshold").getAsDouble());
        assertEquals("block4", tree.get("layer").getAsString());
        assertEquals("max", tree.get("statistic").getAsString());
        assertEquals("interphase", tree.getAsJsonArray("children").get(0).getAsJsonObject().get("class").getAsString());
        assertEquals("[6,6]", tree.getAsJsonArray("counts").toString());
        List<String> csv = r.csv().lines().toList();
        assertEquals("image,slice,model_class,rule,rule_class,heldout_class,ch2_max", csv.get(0));
        assertEquals("img7.tif,1,mitotic,2,mitotic,mitotic,12.0", csv.get(8));
    }

    @Test
    void anAtlasOfOtherLayersSaysSoAndABrokenOneIsAUserError() throws Exception {
        Files.writeString(tmp.resolve("atlas.csv"), "layer,channel,rank,image,slice,x,y,activation\nblock3,2,1,a.tif,1,1,1,9\n");
        AtlasRows atlas = AtlasRows.read(tmp.resolve("atlas.csv"), List.of("block4"));
        String text = report(table(), atlas).text();
        assertTrue(text.contains("ch 2 in the atlas: no rows"), text);
        assertTrue(text.contains("(atlas atlas.csv has no rows for layer block4 (it has block3))"), text);
        Files.writeString(tmp.resolve("atlas.csv"), "layer,channel,image\nblock4,2,a.tif\n");
        assertThrows(UserError.class, () -> AtlasRows.read(tmp, List.of("block4")));
        assertThrows(UserError.class, () -> AtlasRows.read(tmp.resolve("none"), List.of("block4")));
    }

    @Test
    void conditionsOnOneChannelMergeIntoARangeAndNumbersKeepThreeDigits() {
        ActivationTable t = new ActivationTable(1);
        for (int i = 0; i < 30; i++) {
            t.add(new ActivationTable.Row("i" + i, 1, i < 10 ? 0 : i < 20 ? 1 : 0, new float[] {i}));
        }
        String text = report(t, null).text();
        assertTrue(text.contains("IF 9.5 < block4 ch 0 (max) ≤ 19.5 THEN mitotic   [fidelity 1.00, 10 images"), text);
        assertEquals("3.14", RuleReport.num(3.14159));
        assertEquals("0.00712", RuleReport.num(0.0071234));
        assertEquals("1230", RuleReport.num(1234.5));
        assertEquals("0", RuleReport.num(0));
    }
}

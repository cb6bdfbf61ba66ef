/**
 * Turning raw maps into pictures: LUTs, the heatmap overlay on the input
 * image, and flattened RGB renderings for files.
 *
 * <p>Display scaling lives here and only here: a map is scaled from [0, max]
 * to the LUT's 256 levels when it is drawn, never when it is stored.
 */
package org.cnnexplain.render;

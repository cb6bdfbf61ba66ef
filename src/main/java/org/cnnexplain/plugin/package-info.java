/**
 * The Fiji / ImageJ front end: SciJava commands under {@code Plugins › CNN Explain},
 * the model cache they share, ROIs as segmentation regions ({@link org.cnnexplain.plugin.Rois}),
 * and the bridge that shows the same commands in plain ImageJ 1 (dialogs that record into macros).
 *
 * <p>This is the only package that knows about menus, dialogs and windows.
 */
package org.cnnexplain.plugin;

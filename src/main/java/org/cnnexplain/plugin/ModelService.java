package org.cnnexplain.plugin;

import java.io.File;
import org.scijava.service.SciJavaService;
import org.cnnexplain.model.ExplainableModel;

/**
 * Loads each model file once and hands the same {@link ExplainableModel} to
 * every command, slice and thread that asks for it again. A file that changed
 * on disk (newer modification time) is loaded anew; the old copy is closed.
 */
public interface ModelService extends SciJavaService {

    ExplainableModel get(File model, String device);

    /** Closes every cached model. */
    void clear();
}

package org.cnnexplain.plugin;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/** {@link ModelService} with a cache keyed by absolute path, device and modification time. */
@Plugin(type = Service.class)
public class DefaultModelService extends AbstractService implements ModelService {

    private record Key(String path, String device) {
    }

    private record Entry(long modified, ExplainableModel model) {
    }

    private final Map<Key, Entry> cache = new HashMap<>();

    @Override
    public synchronized ExplainableModel get(File model, String device) {
        Key key = new Key(model.getAbsolutePath(), device == null ? "auto" : device);
        long modified = model.lastModified();
        Entry e = cache.get(key);
        if (e != null && e.modified() == modified) {
            return e.model();
        }
        ExplainableModel loaded = ModelLoader.load(model.toPath(), key.device());
        if (e != null) {
            e.model().close();
        }
        cache.put(key, new Entry(modified, loaded));
        return loaded;
    }

    @Override
    public synchronized void clear() {
        cache.values().forEach(e -> e.model().close());
        cache.clear();
    }

    @Override
    public void dispose() {
        clear();
    }
}

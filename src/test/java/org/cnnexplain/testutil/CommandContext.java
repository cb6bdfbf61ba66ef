package org.cnnexplain.testutil;

import org.cnnexplain.plugin.ModelService;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.scijava.Context;
import org.scijava.command.CommandService;

/**
 * The minimal SciJava {@link Context} the plugin tests run commands in, made before a test class
 * and disposed after it:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final CommandContext context = new CommandContext();
 * ...
 * context.service(CommandService.class).getCommand(GradCamCommand.class);
 * }</pre>
 */
public final class CommandContext implements BeforeAllCallback, AfterAllCallback {

    private Context context;

    @Override
    public void beforeAll(ExtensionContext extension) {
        context = new Context(CommandService.class, ModelService.class);
    }

    @Override
    public void afterAll(ExtensionContext extension) {
        context.dispose();
    }

    public Context get() {
        return context;
    }

    public <S extends org.scijava.service.Service> S service(Class<S> type) {
        return context.service(type);
    }
}

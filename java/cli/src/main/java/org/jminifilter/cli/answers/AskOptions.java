package org.jminifilter.cli.answers;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.protocol.Config;
import org.jminifilter.service.AskHandler;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code serve}'s options for the asks the policy file's answers section leaves open:
 * {@code --interactive} (the console prompt) or {@code --handler CLASS [--handler-jar JAR]} (a
 * Java {@link AskHandler}); with neither, such an ask gets its rule's default verdict at once.
 */
public final class AskOptions implements AutoCloseable {
    @Option(names = "--interactive", description = {"Ask the person at the console about every ask the policy file's "
            + "answers do not decide: a/d (allow/deny) and Enter, with the kernel's timeout counting down.",
            "The prompt is written to standard error."})
    boolean interactive;

    @Option(names = "--handler", paramLabel = "CLASS", description = "A Java AskHandler (public, with a public "
            + "no-argument constructor) deciding the asks the policy file's answers do not decide.")
    String handlerClass;

    @Option(names = "--handler-jar", paramLabel = "JAR", description = "The jar holding the --handler class "
            + "(default: the class path).")
    Path handlerJar;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private HandlerLoader.Loaded loaded;

    /**
     * The ask handler for {@code serve}: the answers of the file in force, then the prompt or the
     * Java handler, then the rule's default.
     *
     * @param file   the policy file in force (the supervisor's)
     * @param config the configuration in force
     * @param prompt where the interactive prompt writes
     * @throws HandlerLoader.HandlerException the handler class cannot be made
     */
    public AskHandler handler(Supplier<PolicyFile> file, Supplier<Config> config, PrintWriter prompt)
            throws HandlerLoader.HandlerException {
        if (interactive && handlerClass != null) {
            throw new ParameterException(spec.commandLine(), "--interactive and --handler exclude each other: the "
                    + "handler would decide every ask the answers leave open, so the prompt would never be shown");
        }
        if (handlerJar != null && handlerClass == null) {
            throw new ParameterException(spec.commandLine(), "--handler-jar needs --handler CLASS");
        }
        Decider next = null;
        if (interactive) {
            next = new InteractivePrompt(new StreamConsole(System.in, Charset.defaultCharset(), prompt),
                    Clock.systemDefaultZone());
        } else if (handlerClass != null) {
            loaded = HandlerLoader.load(handlerClass, handlerJar);
            next = new HandlerDecider(loaded.handler());
        }
        return new AnswersHandler(file, config, next, Clock.systemDefaultZone());
    }

    /** Closes the Java handler (when it is AutoCloseable) and its jar. */
    @Override
    public void close() {
        if (loaded != null) {
            try {
                loaded.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(AskOptions.class).warn("closing the handler: {}", e.toString());
            }
            loaded = null;
        }
    }
}

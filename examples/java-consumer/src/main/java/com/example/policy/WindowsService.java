package com.example.policy;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.Policy;
import org.jminifilter.port.FilterPort;
import org.jminifilter.port.FilterPorts;
import org.jminifilter.service.PolicyService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's Windows snippet ("Installing on Windows"), compiled (not run: it needs the real
 * driver loaded on Windows).
 */
public final class WindowsService {

    private static final Logger log = LoggerFactory.getLogger(WindowsService.class);

    private WindowsService() {
    }

    /** Enforces {@code policy} until {@code stop} is interrupted. */
    public static void run(Policy policy, Runnable stop) throws Exception {
        try (FilterPort port = FilterPorts.connect();
             PolicyService service = PolicyService.builder(port).policy(policy)
                 .askHandler(ask -> ask.image().endsWith("\\backup.exe") ? Action.allow() : Action.deny())
                 .eventListener(event -> log.info("{}", event)).build().start()) {
            stop.run();
        }
    }
}

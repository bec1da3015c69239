package com.example.policy;

import org.jminifilter.policy.Action;
import org.jminifilter.policy.Policy;
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

    /** Enforces {@code policy} until {@code untilStopped} returns. */
    public static void run(Policy policy, Runnable untilStopped) {
        try (PolicyService service = PolicyService.builder(FilterPorts.connect()).policy(policy)
                 .askHandler(ask -> ask.image().endsWith("\\backup.exe") ? Action.allow() : Action.deny())
                 .eventListener(event -> log.info("{}", event)).build().start()) {
            untilStopped.run();
        }
    }
}

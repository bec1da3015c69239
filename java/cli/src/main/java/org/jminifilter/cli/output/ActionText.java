package org.jminifilter.cli.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jminifilter.policy.Access;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.DefaultVerdict;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.RedirectMechanism;
import org.jminifilter.protocol.NtStatus;

/** An action in the words of a policy file ("deny STATUS_ACCESS_DENIED in post-create"). */
public final class ActionText {
    private ActionText() {
    }

    public static String of(Action action, Policy policy) {
        String phase = action.postCreate() ? " in post-create" : "";
        if (action instanceof Action.Deny d) {
            return "deny " + NtStatus.of(d.status()).name() + phase;
        }
        if (action instanceof Action.Modify m) {
            List<String> edits = new ArrayList<>();
            if (m.accessClear() != 0) {
                edits.add("strip-access " + Access.describe(m.accessClear()));
            }
            if (m.optionsSet() != 0) {
                edits.add(String.format("add-options 0x%X", m.optionsSet()));
            }
            if (m.optionsClear() != 0) {
                edits.add(String.format("remove-options 0x%X", m.optionsClear()));
            }
            m.disposition().ifPresent(d -> edits.add("disposition " + d.name().toLowerCase(Locale.ROOT).replace('_', '-')));
            if (m.operationFlagsSet() != 0) {
                edits.add(String.format("add-flags 0x%X", m.operationFlagsSet()));
            }
            if (m.operationFlagsClear() != 0) {
                edits.add(String.format("remove-flags 0x%X", m.operationFlagsClear()));
            }
            return "modify (" + String.join(", ", edits) + ")";
        }
        if (action instanceof Action.Redirect r) {
            return "redirect to " + policy.volumes().get(r.targetVolume()).name()
                    + (r.mechanism() == RedirectMechanism.REPARSE ? " by reparse" : "")
                    + (r.fallbackDeny() ? " (fallback: deny " + NtStatus.of(r.status()).name() + ")" : " (fallback: pass)");
        }
        if (action instanceof Action.Ask a) {
            String dflt = a.defaultVerdict() == DefaultVerdict.CONFIGURED ? "the configured default"
                    : a.defaultVerdict() == DefaultVerdict.ALLOW ? "allow" : "deny " + NtStatus.of(a.status()).name();
            return "ask the service (timeout " + (a.timeoutMs() == 0 ? "configured" : a.timeoutMs() + " ms")
                    + ", unanswered: " + dflt + ")" + phase;
        }
        return action.type().name().toLowerCase(Locale.ROOT) + phase;
    }
}

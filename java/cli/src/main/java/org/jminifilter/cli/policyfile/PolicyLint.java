package org.jminifilter.cli.policyfile;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jminifilter.cli.policyfile.Node.Location;
import org.jminifilter.policy.Action;
import org.jminifilter.policy.CaseFold;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.MatchFlag;
import org.jminifilter.policy.PathPattern;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.Rule;

/**
 * Warnings about a policy the driver would accept but that probably does not do what its author
 * meant: a rule an earlier rule always decides first, a rule that can never match, a post-create
 * DENY of opens that create or truncate (the cancel cannot undo them), a volume that is not
 * present. Shadowing is found with indexes over the earlier rules' literal path prefixes, so a
 * 10,000-rule policy is checked in milliseconds, not by comparing every pair.
 */
final class PolicyLint {
    private static final Set<Disposition> CHANGING = EnumSet.of(Disposition.SUPERSEDE, Disposition.CREATE,
            Disposition.OPEN_IF, Disposition.OVERWRITE, Disposition.OVERWRITE_IF);

    private final String file;
    private final Policy policy;
    private final List<Location> locations;
    private final RuleNames names;
    private final VolumeResolver volumes;

    PolicyLint(String file, Policy policy, List<Location> locations, RuleNames names, VolumeResolver volumes) {
        this.file = file;
        this.policy = policy;
        this.locations = locations;
        this.names = names;
        this.volumes = volumes;
    }

    List<Problem> warnings() {
        List<Problem> out = new ArrayList<>();
        Shadowers pre = new Shadowers();
        Shadowers post = new Shadowers();
        for (int i = 0; i < policy.rules().size(); i++) {
            Rule rule = policy.rules().get(i);
            Location at = locations.get(i);
            String context = "rule " + names.describe(rule.ruleId()) + ": ";
            neverMatches(rule).ifPresent(why -> out.add(Problem.warning(file, at, context + "can never match: " + why)));
            Shadowers phase = rule.isPostCreate() ? post : pre;
            Optional<Integer> by = phase.coveredBy(rule);
            by.ifPresent(j -> out.add(Problem.warning(file, at, context + "never decides anything: rule "
                    + names.describe(policy.rules().get(j).ruleId()) + " (line " + locations.get(j).line()
                    + ") comes first and matches everything this rule matches")));
            phase.add(i, rule);
            if (rule.action() instanceof Action.Deny d && rule.isPostCreate()) {
                Set<Disposition> ds = rule.dispositions().isEmpty() ? EnumSet.allOf(Disposition.class)
                        : EnumSet.copyOf(rule.dispositions());
                ds.retainAll(CHANGING);
                if (!ds.isEmpty() || rule.matchFlags().contains(MatchFlag.CREATED)) {
                    out.add(Problem.warning(file, at, context + "a post-create DENY cannot undo what the open did: "
                            + "with " + (rule.matchFlags().contains(MatchFlag.CREATED) ? "\"when: created\"" : "dispositions "
                            + lower(ds)) + " the file stays created or truncated; deny in pre-operation, or limit "
                            + "the rule to \"dispositions: [open]\""));
                }
            }
            rule.volume().ifPresent(v -> absent(out, at, context + "matches volume ", policy.volumes().get(v).name()));
            if (rule.action() instanceof Action.Redirect r) {
                absent(out, at, context + "redirects to volume ", policy.volumes().get(r.targetVolume()).name());
            }
        }
        return out;
    }

    private void absent(List<Problem> out, Location at, String what, String volume) {
        if (!volumes.isPresent(volume)) {
            out.add(Problem.warning(file, at, what + volume + ", which is not present on this machine"));
        }
    }

    private static Optional<String> neverMatches(Rule rule) {
        if (rule.matchFlags().contains(MatchFlag.CREATED) && !rule.dispositions().isEmpty()
                && rule.dispositions().stream().allMatch(d -> d == Disposition.OPEN || d == Disposition.OVERWRITE)) {
            return Optional.of("\"when: created\" with dispositions " + lower(rule.dispositions())
                    + ", which never create a file");
        }
        return Optional.empty();
    }

    private static String lower(Set<Disposition> ds) {
        return ds.stream().map(d -> d.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList().toString();
    }

    /**
     * The earlier rules of one phase, indexed so a later rule is compared only with those that
     * could cover it: rules with no path (or {@code **}) and no image (or {@code **}), rules whose
     * path is the same text, rules whose path is a literal folder followed by {@code \**}, and
     * rules with no path indexed the same way by their image (a path-less rule with an image
     * covers only rules whose image its image covers: without this index every path-less rule was
     * compared with every later rule, seconds for 10,000 rules).
     */
    private final class Shadowers {
        private final List<Integer> anyPath = new ArrayList<>();
        private final Map<String, List<Integer>> samePath = new HashMap<>();
        private final Map<String, List<Integer>> folder = new HashMap<>();
        private final Map<String, List<Integer>> anyPathSameImage = new HashMap<>();
        private final Map<String, List<Integer>> anyPathImageFolder = new HashMap<>();

        void add(int index, Rule rule) {
            Optional<PathPattern> p = rule.path();
            if (p.isEmpty() || p.get().pattern().equals("**")) {
                Optional<PathPattern> image = rule.image();
                if (image.isEmpty() || image.get().pattern().equals("**")) {
                    anyPath.add(index);
                    return;
                }
                String text = upper(image.get().pattern());
                anyPathSameImage.computeIfAbsent(text, k -> new ArrayList<>()).add(index);
                if (text.endsWith("\\**") && literal(text.substring(0, text.length() - 3))) {
                    anyPathImageFolder.computeIfAbsent(text.substring(0, text.length() - 2), k -> new ArrayList<>())
                            .add(index);
                }
                return;
            }
            String text = upper(p.get().pattern());
            samePath.computeIfAbsent(text, k -> new ArrayList<>()).add(index);
            if (text.endsWith("\\**") && literal(text.substring(0, text.length() - 3))) {
                folder.computeIfAbsent(text.substring(0, text.length() - 2), k -> new ArrayList<>()).add(index);
            }
        }

        Optional<Integer> coveredBy(Rule rule) {
            List<Integer> candidates = new ArrayList<>(anyPath);
            rule.image().ifPresent(i -> {
                // The path-less rules whose image could cover this one's, as patternCovers decides:
                // the same text, or a literal folder's "\**" this image starts with ("\**" too, so
                // the prefixes start at the first '\').
                String text = upper(i.pattern());
                candidates.addAll(anyPathSameImage.getOrDefault(text, List.of()));
                for (int cut = text.indexOf('\\'); cut >= 0; cut = text.indexOf('\\', cut + 1)) {
                    String prefix = text.substring(0, cut + 1);
                    if (!literal(prefix)) {
                        break;
                    }
                    candidates.addAll(anyPathImageFolder.getOrDefault(prefix, List.of()));
                }
            });
            rule.path().ifPresent(p -> {
                String text = upper(p.pattern());
                candidates.addAll(samePath.getOrDefault(text, List.of()));
                for (int cut = text.indexOf('\\'); cut >= 0; cut = text.indexOf('\\', cut + 1)) {
                    String prefix = text.substring(0, cut + 1);
                    if (!literal(prefix)) {
                        break;
                    }
                    candidates.addAll(folder.getOrDefault(prefix, List.of()));
                }
            });
            return candidates.stream().sorted().filter(j -> covers(policy.rules().get(j), rule)).findFirst();
        }
    }

    /** True when every operation {@code later} matches is matched by {@code earlier} too. */
    private static boolean covers(Rule earlier, Rule later) {
        return earlier.operations().containsAll(later.operations())
                && (earlier.volume().isEmpty() || earlier.volume().equals(later.volume()))
                && patternCovers(earlier.path(), later.path())
                && patternCovers(earlier.image(), later.image())
                && (earlier.processId() == 0 || earlier.processId() == later.processId())
                && (earlier.desiredAccess() == 0
                        || (later.desiredAccess() != 0 && (later.desiredAccess() & ~earlier.desiredAccess()) == 0))
                && (earlier.dispositions().isEmpty()
                        || (!later.dispositions().isEmpty() && earlier.dispositions().containsAll(later.dispositions())))
                && later.matchFlags().containsAll(earlier.matchFlags());
    }

    private static boolean patternCovers(Optional<PathPattern> earlier, Optional<PathPattern> later) {
        if (earlier.isEmpty() || earlier.get().pattern().equals("**")) {
            return true;
        }
        if (later.isEmpty()) {
            return false;
        }
        String e = upper(earlier.get().pattern());
        String l = upper(later.get().pattern());
        if (e.equals(l)) {
            return true;
        }
        return e.endsWith("\\**") && literal(e.substring(0, e.length() - 3)) && l.startsWith(e.substring(0, e.length() - 2));
    }

    private static boolean literal(String text) {
        return text.indexOf('*') < 0 && text.indexOf('?') < 0;
    }

    /** The kernel's case fold (JmfUpcase), so what compares equal here compares equal there. */
    private static String upper(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            c[i] = CaseFold.upcase(c[i]);
        }
        return new String(c);
    }
}

package org.jminifilter.cli.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;

import org.jminifilter.cli.ExitCodes;
import org.jminifilter.cli.Main;
import org.jminifilter.cli.policyfile.PolicyFile;
import org.jminifilter.cli.policyfile.VolumeResolver;
import org.jminifilter.emulator.DriverMatcher;
import org.jminifilter.policy.Disposition;
import org.jminifilter.policy.MatchFlag;
import org.jminifilter.policy.Operation;
import org.jminifilter.policy.Policy;
import org.jminifilter.policy.PolicyCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jminifilter explain}: the deciding rule, the reasons, and the Java mirror held to the driver's matcher. */
class ExplainTest {
    private static final String V1 = "\\Device\\HarddiskVolume1";
    private static final String V2 = "\\Device\\HarddiskVolume2";
    private static final String POLICY = """
            version: 1
            rules:
              - {id: allow-admin, operations: [write], path: '\\docs\\**', process-id: 4, allow: }
              - {id: docs, operations: [write, create], path: '\\docs\\**', image: '**\\winword.exe', audit: }
              - {id: secret, operations: [create], volume: "C:", path: '\\secret\\**', deny: }
              - {id: dirs, operations: [create], path: '\\share\\*', when: [directory], deny: {phase: post-create}}
              - {id: writers, operations: [create], path: '\\share\\**', access: [FILE_WRITE_DATA], audit: }
            """;

    @TempDir
    Path dir;

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("p.yaml"), POLICY);
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(exit), out.toString(), err.toString()};
    }

    @Test
    void anAuditOnlyRuleDecidesAndIsSaidToBeOnlyReported() throws IOException {
        String file = Files.writeString(dir.resolve("a.yaml"), "mode: audit-only\n" + POLICY).toString();
        String[] r = run("explain", file, "--volume", "C:=" + V1, "--op", "create", "--path", "\\secret\\plan.txt");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("decided by rule secret: "), r[1]);
        assertTrue(r[1].contains("(audit-only: reported as would, not applied; the operation passes unchanged)"), r[1]);
        assertTrue(r[1].contains("post-create phase: not reached"), r[1]);    // as when it enforces
    }

    @Test
    void thePreOperationDecisionWithTheReasonsBeforeIt() throws IOException {
        String[] r = run("explain", policy().toString(), "--volume", "C:=" + V1, "--op", "create", "--path",
                "\\secret\\plan.txt");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("rule docs: no: path \\docs\\** does not match \\secret\\plan.txt"), r[1]);
        assertTrue(r[1].contains("rule secret: MATCHES and decides"), r[1]);
        assertTrue(r[1].contains("post-create phase: not reached"), r[1]);
        assertTrue(r[1].contains("decided by rule secret"), r[1]);
        assertTrue(r[1].contains(DriverMatcher.isAvailable() ? "computed by the driver's own matcher"
                : "computed by the Java mirror"), r[1]);
    }

    @Test
    void thePostCreatePhaseUsesWhatTheOpenObserved() throws IOException {
        String file = policy().toString();
        String[] dirOpen = run("explain", file, "--volume", "C:=" + V1, "--op", "create", "--path", "\\share\\x",
                "--directory");
        assertTrue(dirOpen[1].contains("decided by rule dirs"), dirOpen[1]);
        String[] fileOpen = run("explain", file, "--volume", "C:=" + V1, "--op", "create", "--path", "\\share\\x");
        assertTrue(fileOpen[1].contains("rule dirs: no: post-create matches [DIRECTORY] do not all hold"), fileOpen[1]);
        assertTrue(fileOpen[1].contains("no rule matches"), fileOpen[1]);
        String[] writer = run("explain", file, "--volume", "C:=" + V1, "--op", "create", "--path", "\\share\\x",
                "--access", "FILE_WRITE_DATA", "--json");
        assertTrue(writer[1].contains("\"decidedBy\":\"writers\""), writer[1]);
    }

    @Test
    void badArgumentsAreUsageErrors() throws IOException {
        String file = policy().toString();
        assertEquals(Integer.toString(ExitCodes.USAGE), run("explain", file, "--volume", "C:=" + V1, "--op", "copy", "--path",
                "\\x")[0]);
        String[] noVolume = run("explain", file, "--op", "read", "--path", "\\x");
        assertEquals(Integer.toString(ExitCodes.INVALID), noVolume[0], "C: in the file cannot be resolved");
        String[] access = run("explain", file, "--volume", "C:=" + V1, "--op", "create", "--path", "\\x",
                "--access", "FILE_WRIT_DATA");
        assertEquals(Integer.toString(ExitCodes.USAGE), access[0]);
        assertTrue(access[2].contains("FILE_WRIT_DATA"), access[2]);
    }

    /** The Java mirror decides exactly as the driver's compiled matcher, over many operations. */
    @Test
    void theJavaMirrorAgreesWithTheDriversMatcher() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(DriverMatcher.isAvailable(),
                "libjmfemu.so does not load here: the driver's matcher cannot be compared");
        Path example = Path.of(System.getProperty("jmf.root", "../.."), "examples", "policies",
                "ransomware-protection.yaml");
        for (PolicyFile f : List.of(PolicyFile.parse("p.yaml", POLICY, VolumeResolver.of(Map.of("C:", V1), "t")),
                PolicyFile.read(example, VolumeResolver.of(Map.of("C:", V1, "D:", V2), "t")))) {
            Policy policy = f.policy();
            ByteBuffer body = PolicyCodec.encode(policy);
            Random rnd = new Random(42);
            String[] dirs = {"\\docs\\", "\\secret\\", "\\share\\", "\\Users\\bob\\Documents\\", "\\Users\\bob\\Pictures\\",
                "\\Quarantine\\", "\\Users\\bob\\Downloads\\", "\\Users\\bob\\AppData\\Local\\Browser\\Cache\\", "\\x\\"};
            String[] names = {"a.txt", "Report.DOCX", "b.locked", "tool.exe", "x", "c.encrypted"};
            String[] images = {"", V1 + "\\Program Files\\WINWORD.EXE", V1 + "\\x\\jmfscan.exe",
                V1 + "\\Apps\\Photoshop.exe", V1 + "\\Windows\\notepad.exe"};
            for (int n = 0; n < 3000; n++) {
                Operation op = Operation.values()[rnd.nextInt(5)];
                String volume = rnd.nextBoolean() ? V1 : V2;
                String path = dirs[rnd.nextInt(dirs.length)] + names[rnd.nextInt(names.length)];
                String image = images[rnd.nextInt(images.length)];
                int pid = rnd.nextInt(3) == 0 ? 4 : 1000;
                int access = rnd.nextBoolean() ? 0x2 : 0x1;
                Disposition d = Disposition.values()[rnd.nextInt(6)];
                Set<MatchFlag> observed = EnumSet.of(rnd.nextBoolean() ? MatchFlag.DIRECTORY : MatchFlag.NON_DIRECTORY);
                if (rnd.nextBoolean()) {
                    observed.add(MatchFlag.CREATED);
                }
                Explainer.Facts facts = new Explainer.Facts(op, volume, path, image, pid, access,
                        op == Operation.CREATE ? Optional.of(d) : Optional.empty(), observed);
                for (Explainer.Phase phase : Explainer.explain(policy, facts)) {
                    boolean post = phase.name().equals("post-create");
                    OptionalInt c = DriverMatcher.match(body, post ? DriverMatcher.PHASE_POST_CREATE : DriverMatcher.PHASE_PRE,
                            op, volume, pid, access, op == Operation.CREATE ? d.code() : 0, 0,
                            post ? MatchFlag.mask(observed) : 0, path, image);
                    assertEquals(c, phase.decidedBy(), phase.name() + " of " + facts);
                }
            }
        }
    }
}

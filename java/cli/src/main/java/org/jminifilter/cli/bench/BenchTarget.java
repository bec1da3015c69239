package org.jminifilter.cli.bench;

/** A machine the benchmark runs on, in each {@link DriverState} in turn. */
public interface BenchTarget extends AutoCloseable {

    /** The driver's state during one run of the loop. */
    enum DriverState {
        UNLOADED("driver unloaded"), EMPTY_POLICY("loaded, empty policy"), RULES("loaded, 10,000 rules");

        private final String label;

        DriverState(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What this machine is, for the report. */
    String description();

    /** True when the figures say something about real performance (Windows), false on the emulator. */
    boolean meaningful();

    /**
     * Puts the driver in {@code state} (states come in declaration order) and runs the loop in a
     * process other than the policy service.
     */
    BenchLoop.Timings run(DriverState state, int count, int size);

    @Override
    void close();
}

/**
 * Test doubles for the port, in main sources so other modules' tests can use them:
 * {@link org.jminifilter.port.mock.MockFilterPort} (one connection whose kernel side the test
 * scripts) and {@link org.jminifilter.port.mock.MockDriver} (connections and their refusal).
 */
package org.jminifilter.port.mock;

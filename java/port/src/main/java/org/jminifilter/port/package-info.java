/**
 * The bridge between the policy service and the jminifilter driver: {@link org.jminifilter.port.FilterPort}
 * (bytes in, bytes out; no JNA), its {@link org.jminifilter.port.Notification}, the typed
 * {@link org.jminifilter.port.FilterPortException}s an HRESULT becomes, and how a port is obtained
 * ({@link org.jminifilter.port.FilterPorts}, {@link org.jminifilter.port.FilterPortConnector},
 * the {@link org.jminifilter.port.FilterPortProvider} SPI).
 *
 * <pre>
 *   service ──FilterPort──┬── fltlib.FltLibFilterPort ── JNA ── fltlib.dll ── jminifilter.sys
 *                         ├── mock.MockFilterPort (in memory, the test plays the kernel)
 *                         └── (emulator module) EmulatedKernelPort ── libjmfemu.so ── driver sources
 * </pre>
 */
package org.jminifilter.port;

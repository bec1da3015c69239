/**
 * The Windows port: {@link org.jminifilter.port.fltlib.FltLib}, a thin JNA binding of fltlib.dll
 * in JNA Platform's style, {@link org.jminifilter.port.fltlib.Kernel32CancelIo} for the one
 * kernel32 function JNA Platform (5.19.1) lacks, and {@link org.jminifilter.port.fltlib.FltLibFilterPort},
 * the idiomatic layer above them (HRESULTs to exceptions, handles to an AutoCloseable, overlapped
 * receives on an I/O completion port). Nothing here loads a DLL until a connection is made on Windows.
 */
package org.jminifilter.port.fltlib;

// Decides whether the invoker builds examples/java-consumer (see java/consumer-it/pom.xml).
// The consumer's EmulatedKernel test needs libjmfemu.so inside the jminifilter-emulator jar; the
// build puts it there when a C compiler built it. With -Djmf.native.required=true the consumer
// always runs (a missing library must fail the build); otherwise it is skipped with a message.
def shipped = new File(emulatorClasses).listFiles()?.any { new File(it, 'libjmfemu.so').isFile() } ?: false
if (!shipped && nativeRequired != 'true') {
    println "jminifilter: SKIPPED examples/java-consumer: the emulator jar has no libjmfemu.so (no C compiler built it)"
    return false
}
return true

// Runs after examples/java-consumer built and passed (see java/consumer-it/pom.xml): every Java snippet
// in README.md must be in the consumer's sources, line for line (ignoring indentation, blank
// lines, "..." and comment-only lines), so the README cannot drift from what compiles and passes.
// readme and consumerSources come from java/consumer-it/pom.xml (scriptVariables).
def readmeFile = new File(readme)
def sources = new File(consumerSources)
def known = [] as Set
sources.eachFileRecurse { f -> if (f.name.endsWith('.java')) f.eachLine { known << it.trim() } }

def missing = []
def inJava = false
def snippet = 0
readmeFile.eachLine { line, number ->
    def t = line.trim()
    if (t.startsWith('```')) {
        inJava = !inJava && t == '```java'
        if (inJava) snippet++
        return
    }
    if (inJava && t && t != '...' && !t.startsWith('//') && !known.contains(t)) {
        missing << "README.md:${number} (snippet ${snippet}): ${t}"
    }
}
if (snippet == 0) {
    throw new IllegalStateException("no ```java snippet found in ${readmeFile}")
}
if (missing) {
    throw new IllegalStateException("README.md snippets that are in no test of examples/java-consumer"
            + " (update the consumer's tests with the README, or the README with them):\n  " + missing.join('\n  '))
}
println "jminifilter: all ${snippet} Java snippets of README.md are in examples/java-consumer"
return true

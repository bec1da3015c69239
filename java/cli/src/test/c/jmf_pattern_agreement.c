/*
 * jmf_pattern_agreement.c - the driver's pattern matcher (JmfPatternMatch, from
 * native-driver/src/jmf_pattern.c) for the Java agreement test of the answers
 * section's matcher. Reads lines "PATTERN TEXT", each the UTF-16 code units of the
 * string as 4 hex digits apiece ("-" for the empty string), and prints "1" or "0"
 * per line, then "agreement: N inputs".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmf_policy_internal.h"

#define MAX_UNITS 40000u

static JMF_U32
Decode(const char *Hex, JMF_U16 *Out)
{
    JMF_U32 n = 0;
    size_t len = strlen(Hex);
    size_t i;

    if (strcmp(Hex, "-") == 0) {
        return 0;
    }
    for (i = 0; i + 4 <= len && n < MAX_UNITS; i += 4) {
        char unit[5];

        memcpy(unit, Hex + i, 4);
        unit[4] = 0;
        Out[n++] = (JMF_U16)strtoul(unit, NULL, 16);
    }
    return n;
}

int
main(void)
{
    static char line[4 * MAX_UNITS * 2 + 16];
    static JMF_U16 pattern[MAX_UNITS];
    static JMF_U16 text[MAX_UNITS];
    unsigned long count = 0;

    while (fgets(line, sizeof(line), stdin) != NULL) {
        char *space = strchr(line, ' ');
        char *end;
        JMF_U32 pn;
        JMF_U32 tn;

        if (space == NULL) {
            continue;
        }
        *space = 0;
        end = strpbrk(space + 1, "\r\n");
        if (end != NULL) {
            *end = 0;
        }
        pn = Decode(line, pattern);
        tn = Decode(space + 1, text);
        printf("%d\n", JmfPatternMatch(pattern, pn, text, tn) ? 1 : 0);
        count++;
    }
    printf("agreement: %lu inputs\n", count);
    return 0;
}

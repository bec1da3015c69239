/*
 * jmf_core_agreement.c
 *
 * The C half of org.jminifilter.protocol.CoreAgreementTest: runs the
 * driver's portable core (native-driver/src: JmfPolicyCompile,
 * JmfValidateConfig, JmfCommandParse) on inputs the Java test writes, so the
 * test can check that the Java decoders accept exactly what the kernel
 * accepts.
 *
 * Input, one per line on stdin:   <kind> <hex bytes>
 *   kind: policy (a SET_POLICY body), config (a JMF_CONFIG), command (a
 *   whole command, its body validated as the driver's message callback does)
 * Output, one per input line:     <JMF_ERROR_*> <RuleIndex>
 * Last line:                      agreement: N inputs
 *
 * With the argument --upcase it prints instead JmfUpcase of every UTF-16
 * code unit 0 .. 0xFFFF, as four hex digits each, on one line.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmf_policy.h"

static void *
Allocate(void *Context, JMF_U64 Bytes)
{
    (void)Context;
    return calloc(1, Bytes != 0 ? (size_t)Bytes : 1);
}

static void
Release(void *Context, void *Block)
{
    (void)Context;
    free(Block);
}

static const JMF_ALLOCATOR Allocator = {Allocate, Release, NULL};

static int
HexValue(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Decodes hex into a fresh 16-aligned buffer (malloc's alignment); returns its length, or -1. */
static long
Unhex(const char *Hex, size_t Chars, unsigned char **Out)
{
    size_t i;
    unsigned char *b;

    if (Chars % 2 != 0) {
        return -1;
    }
    b = malloc(Chars / 2 + 1);
    if (b == NULL) {
        return -1;
    }
    for (i = 0; i < Chars / 2; i++) {
        int hi = HexValue(Hex[2 * i]);
        int lo = HexValue(Hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return -1;
        }
        b[i] = (unsigned char)(hi << 4 | lo);
    }
    *Out = b;
    return (long)(Chars / 2);
}

static JMF_U32
Compile(const void *Body, JMF_U32 Length, JMF_U32 *RuleIndex)
{
    JMF_POLICY *policy = NULL;
    JMF_RESULT result;
    JMF_U32 error;

    memset(&result, 0, sizeof(result));
    error = JmfPolicyCompile(Body, Length, 1, &Allocator, &policy, &result);
    if (error == JMF_ERROR_NONE) {
        JmfPolicyFree(policy);
        *RuleIndex = JMF_INDEX_NONE;
    } else {
        *RuleIndex = result.RuleIndex;
    }
    return error;
}

static JMF_U32
Check(const char *Kind, const unsigned char *Bytes, JMF_U32 Length, JMF_U32 *RuleIndex)
{
    JMF_CONFIG config;

    *RuleIndex = JMF_INDEX_NONE;
    if (strcmp(Kind, "policy") == 0) {
        return Compile(Bytes, Length, RuleIndex);
    }
    if (strcmp(Kind, "config") == 0) {
        /* A SET_CONFIG body: JMF_CONFIG, then the unlock key when LOCKED (JmfCommandParse's check, then the config's). */
        JMF_U32 expected;

        if (Length < sizeof(JMF_CONFIG)) {
            return JMF_ERROR_TRUNCATED;
        }
        memcpy(&config, Bytes, sizeof(config));
        expected = JmfConfigBodyLength(config.Flags);
        if (Length != expected) {
            return Length < expected ? JMF_ERROR_TRUNCATED : JMF_ERROR_BAD_LENGTH;
        }
        return JmfValidateConfig(&config);
    }
    if (strcmp(Kind, "command") == 0) {
        JMF_U32 type = 0;
        const void *body = NULL;
        JMF_U32 bodyLength = 0;
        JMF_U32 error = JmfCommandParse(Bytes, Length, &type, &body, &bodyLength);

        if (error != JMF_ERROR_NONE) {
            return error;
        }
        if (type == JMF_COMMAND_SET_POLICY) {
            return Compile(body, bodyLength, RuleIndex);
        }
        if (type == JMF_COMMAND_SET_CONFIG) {
            memcpy(&config, body, sizeof(config));
            return JmfValidateConfig(&config);
        }
        return JMF_ERROR_NONE;
    }
    return 0xFFFFFFFFu;
}

static int
PrintUpcase(void)
{
    JMF_U32 c;

    for (c = 0; c <= 0xFFFFu; c++) {
        printf("%04x", (unsigned)JmfUpcase((JMF_U16)c));
    }
    printf("\n");
    return 0;
}

int
main(int argc, char **argv)
{
    char *line = NULL;
    size_t capacity = 0;
    long count = 0;

    if (argc == 2 && strcmp(argv[1], "--upcase") == 0) {
        return PrintUpcase();
    }

    while (getline(&line, &capacity, stdin) > 0) {
        char *space = strchr(line, ' ');
        char *hex;
        size_t chars;
        unsigned char *bytes = NULL;
        long length;
        JMF_U32 ruleIndex;
        JMF_U32 error;

        if (space == NULL) {
            fprintf(stderr, "bad input line %ld\n", count + 1);
            return 2;
        }
        *space = 0;
        hex = space + 1;
        chars = strcspn(hex, "\r\n");
        length = Unhex(hex, chars, &bytes);
        if (length < 0) {
            fprintf(stderr, "bad hex on line %ld\n", count + 1);
            return 2;
        }
        error = Check(line, bytes, (JMF_U32)length, &ruleIndex);
        printf("%lu %lu\n", (unsigned long)error, (unsigned long)ruleIndex);
        free(bytes);
        count++;
    }
    free(line);
    printf("agreement: %ld inputs\n", count);
    return 0;
}

/* mkcorpus.c - writes the fuzz seeds in corpus/: valid policies of every shape (make corpus). */
#include <stdio.h>
#include <stdlib.h>

#include "sample_policy.h"

static void
Write(const char *Dir, const char *Name, TEST_POLICY *Tp)
{
    char path[512];
    FILE *f;

    TpBuild(Tp);
    snprintf(path, sizeof(path), "%s/%s.bin", Dir, Name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(Tp->Body, 1, Tp->Length, f) != Tp->Length) {
        perror(path);
        exit(1);
    }
    fclose(f);
    TpFree(Tp);
}

int
main(int argc, char **argv)
{
    TEST_POLICY tp;
    JMF_U32 type;
    JMF_U32 i;

    if (argc != 2) {
        fprintf(stderr, "usage: mkcorpus DIR\n");
        return 2;
    }
    TpInit(&tp);
    Write(argv[1], "empty", &tp);

    TpInit(&tp);
    SamplePolicy(&tp);
    Write(argv[1], "sample", &tp);

    for (type = JMF_ACTION_ALLOW; type < JMF_ACTION_COUNT; type++) {
        char name[32];

        TpInit(&tp);
        TpVolume(&tp, "\\Device\\HarddiskVolume2");
        TpVolume(&tp, "\\Device\\HarddiskVolume3");
        i = TpRule(&tp, type, JMF_OP_CREATE, type);
        TpPath(&tp, i, "\\a\\*\\b?.txt");
        if (type == JMF_ACTION_REDIRECT) {
            TpAt(&tp, i)->Volume = 0;
            TpAt(&tp, i)->Action.TargetVolume = 1;
        }
        snprintf(name, sizeof(name), "action-%u", type);
        Write(argv[1], name, &tp);
    }

    TpInit(&tp);
    for (i = 0; i < 40; i++) {
        char pattern[64];

        snprintf(pattern, sizeof(pattern), (i % 3) ? "\\Users\\u%u\\**\\*.docx" : "**\\f%u.tmp", i);
        TpPath(&tp, TpRule(&tp, i, JMF_OP_CREATE | JMF_OP_WRITE, JMF_ACTION_AUDIT), pattern);
    }
    Write(argv[1], "many-paths", &tp);
    printf("mkcorpus: seeds written to %s\n", argv[1]);
    return 0;
}

/* Replays a fuzz harness without libFuzzer, for the ordinary test suite: every file of the
 * folders given goes to LLVMFuzzerTestOneInput once, in name order, from a buffer of exactly its
 * size (so that the sanitizer builds see any read past the end). A crash, a sanitizer report, a
 * failed oracle or an input still loading after REPLAY_LIMIT_S (a hang, as libFuzzer's -timeout
 * would call it) ends the process with the input's name printed last; a folder that is missing
 * or holds no input is an error too, so that a moved corpus cannot pass as replayed. */
#include "fuzz_util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every seed loads in well under a second, even under the sanitizers; a loader still busy after
 * this long on a file of a few KB is stuck. */
#define REPLAY_LIMIT_S 30
#define STR(x)         #x
#define XSTR(x)        STR(x)

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "replay: the input above is still loading after " XSTR(REPLAY_LIMIT_S) " s: a hang\n";
    (void)!write(2, msg, sizeof msg - 1);
    /* and any child it left behind (the HDF5 probe), which would hold the test's output open */
    if (getpgrp() == getpid()) kill(0, SIGKILL);
    _exit(1);
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fclose(f);
        fprintf(stderr, "replay: cannot stat %s\n", path);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *data = malloc(size ? size : 1);
    if (!data || fread(data, 1, size, f) != size) {
        free(data);
        fclose(f);
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    fclose(f);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    alarm(REPLAY_LIMIT_S);
    int rc = LLVMFuzzerTestOneInput(data, size);
    alarm(0);
    free(data);
    if (rc != 0 && rc != -1) {
        fprintf(stderr, "replay: %s: the harness returned %d (expected 0 or -1)\n", path, rc);
        return -1;
    }
    return 0;
}

static int regular_file(const struct dirent *e) { return e->d_name[0] != '.'; }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FOLDER|FILE...\n", argv[0]);
        return 2;
    }
    setpgid(0, 0); /* a group of our own, for on_alarm (fails harmlessly if already a leader) */
    signal(SIGALRM, on_alarm);
    long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[i]) != 0) return 1;
            total++;
            continue;
        }
        struct dirent **names;
        int n = scandir(argv[i], &names, regular_file, alphasort);
        if (n < 0) {
            fprintf(stderr, "replay: cannot list %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        int bad = n == 0;
        if (bad) fprintf(stderr, "replay: %s holds no input\n", argv[i]);
        for (int k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
            if (!bad && replay_file(path) != 0) bad = 1;
            free(names[k]);
        }
        free(names);
        if (bad) return 1;
        printf("replay: %d inputs from %s\n", n, argv[i]);
        total += n;
    }
    printf("replay: %ld inputs, all returned\n", total);
    return 0;
}

/* Fuzz harness: the HDF5 trace reader of sim/input/ccs_trace.c in this process, without the child-
 * process read that guards ccs_trace_load (ccs_trace_unguarded.h). fuzz_trace_h5 fuzzes the
 * public entry, but pays a fork per input (~30 inputs/s under ASan on this VM); this one runs at
 * thousands a second, so a long campaign reaches ccs_trace.c's HDF5 branches (sizes, types,
 * attributes, chunk checks, row checks) millions of times.
 *
 * Here libhdf5 1.10.8 can kill the process on a damaged header (SIGFPE in H5Dopen2, huge
 * memcpy and malloc, a heap it has scribbled on): that is why the public entry reads in a child
 * first. campaign.sh restarts this harness after each such death and judges every input that
 * killed it by what matters to users: the public entry (replay_trace_h5) must refuse it with an
 * error, and the crash must be inside libhdf5, not in ccs_trace.c. Same oracles as fuzz_trace_h5.
 * Not replayed by the ordinary suite: its crash inputs crash it by design (fuzz_trace_h5 replays
 * the same corpus through the public entry).
 *
 * Why a signal handler of its own: after libhdf5 has corrupted the heap, libFuzzer's and the
 * sanitizers' crash handlers call malloc and can sleep forever on glibc's lock (seen: jobs asleep
 * for hours). With CCS_FUZZ_ARTIFACTS set (campaign.sh sets it, and turns libFuzzer's handlers
 * off), a fatal signal or a 3 s alarm writes the input with open/write only, as
 * <dir>/died-<signal>-<pid>, and _exits with 77. Without it (a replay to name the frame),
 * nothing changes. CCS_FUZZ_COUNT: see executions below. */
#include "fuzz_util.h"

#include "ccs_trace_unguarded.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { ALARM_S = 3, DIED = 77 };

static char artifact_dir[2048];
static const uint8_t *volatile cur_data;
static volatile size_t cur_size;
/* CCS_FUZZ_COUNT: a file holding this process's count of inputs, kept by the kernel however the
 * process ends (campaign.sh adds them up; libFuzzer's own count dies with it) */
static volatile uint64_t *executions;

/* Decimal digits of v at p, async-signal-safe; returns the end. */
static char *put_num(char *p, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 24);
    while (n) *p++ = tmp[--n];
    return p;
}

static void on_fatal(int sig)
{
    char path[2200], *p = path;
    size_t len = strlen(artifact_dir);
    memcpy(p, artifact_dir, len);
    p += len;
    memcpy(p, "/died-", 6);
    p = put_num(p + 6, (unsigned long)sig);
    *p++ = '-';
    p = put_num(p, (unsigned long)getpid());
    *p = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        const uint8_t *d = cur_data;
        size_t left = d ? cur_size : 0;
        while (left) {
            ssize_t w = write(fd, d, left);
            if (w <= 0) break;
            d += w;
            left -= (size_t)w;
        }
        close(fd);
    }
    _exit(DIED);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *count = getenv("CCS_FUZZ_COUNT");
    if (count && *count) {
        int fd = open(count, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || ftruncate(fd, sizeof *executions)) fuzz_fail("cannot make %s", count);
        void *m = mmap(NULL, sizeof *executions, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) fuzz_fail("cannot map %s", count);
        close(fd);
        executions = m;
    }
    const char *dir = getenv("CCS_FUZZ_ARTIFACTS");
    if (!dir || !*dir || strlen(dir) >= sizeof artifact_dir) return 0;
    memcpy(artifact_dir, dir, strlen(dir) + 1);
    /* a stack overflow needs a stack of its own to report on */
    static char alt[1 << 16];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (executions) ++*executions;
    cur_size = size;
    cur_data = data;
    if (*artifact_dir) alarm(ALARM_S);
    int rc = fuzz_h5_input(data, size, ccs_trace_load_unguarded, "ccs_trace_load_unguarded");
    if (*artifact_dir) alarm(0);
    cur_data = NULL;
    return rc;
}

/* Leaving a forked child without atexit handlers or stdio flushes (the parent's business), and
 * still counted in a coverage build: gcov writes its counters at exit, which _exit skips, so a
 * sweep's workers and the HDF5 reading child would vanish from the coverage figures
 * (meson -Db_coverage=true defines CCS_COVERAGE). */
#ifndef CCS_EXIT_H
#define CCS_EXIT_H

#include <unistd.h>

#ifdef CCS_COVERAGE
void __gcov_dump(void); /* libgcov's: writes this process's counters now */
#endif

static inline _Noreturn void ccs_child_exit(int status)
{
#ifdef CCS_COVERAGE
    __gcov_dump();
#endif
    _exit(status);
}

#endif

/* Local worker processes, one pipe each way; see sweep_pool.h. Processes rather than threads:
 * each run then has its own address space for the HDF5 library and any scenario state, and a
 * run that crashes takes down one worker, not the sweep. Workers die with the coordinator
 * (PR_SET_PDEATHSIG), so `kill -9` of the sweep leaves no orphan writing into its folder. */
#include "sweep_pool.h"

#include "ccs_exit.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct fork_worker {
    pid_t pid;
    int task_fd, result_fd; /* coordinator's ends */
    int64_t run;            /* in flight; -1 idle */
    int alive;
} fork_worker;

struct ccs_sweep_pool {
    fork_worker *w;
    int n;
};

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* 1 read, 0 end of file at the start, -1 error or a cut message */
static int read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, p + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k == 0) return got == 0 ? 0 : -1;
        if (k < 0) return -1;
        got += (size_t)k;
    }
    return 1;
}

static void worker_main(const ccs_sweep_plan *plan, int task_fd, int result_fd)
{
    for (;;) {
        int64_t run;
        if (read_all(task_fd, &run, sizeof run) != 1 || run < 0) ccs_child_exit(0);
        ccs_sweep_outcome o;
        ccs_sweep_run_exec(plan, run, &o);
        if (write_all(result_fd, &o, sizeof o) != 0) ccs_child_exit(1);
    }
}

static void fork_stop(ccs_sweep_pool *p);

static int fork_start(const ccs_sweep_plan *plan, int nworkers, ccs_sweep_pool **out, ccs_err *err)
{
    *out = NULL;
    ccs_sweep_pool *p = calloc(1, sizeof *p);
    if (p) p->w = calloc((size_t)(nworkers > 0 ? nworkers : 1), sizeof *p->w);
    if (!p || !p->w) {
        free(p);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    pid_t parent = getpid();
    fflush(NULL);
    for (int i = 0; i < nworkers; i++) {
        int task[2], result[2];
        if (pipe(task) != 0) break;
        if (pipe(result) != 0) {
            close(task[0]);
            close(task[1]);
            break;
        }
        pid_t pid = fork();
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(1); /* the coordinator died before the line above */
            close(task[1]);
            close(result[0]);
            for (int j = 0; j < i; j++) { /* the other workers' ends: their EOF must not wait on us */
                close(p->w[j].task_fd);
                close(p->w[j].result_fd);
            }
            worker_main(plan, task[0], result[1]);
        }
        close(task[0]);
        close(result[1]);
        if (pid < 0) {
            close(task[1]);
            close(result[0]);
            break;
        }
        p->w[p->n++] = (fork_worker){pid, task[1], result[0], -1, 1};
    }
    if (p->n == 0) {
        fork_stop(p);
        return ccs_err_set(err, CCS_ERUN, "cannot start worker processes: %s", strerror(errno));
    }
    *out = p;
    return 0;
}

static int fork_nworkers(const ccs_sweep_pool *p) { return p->n; }

static int fork_submit(ccs_sweep_pool *p, int worker, int64_t run)
{
    fork_worker *w = &p->w[worker];
    if (!w->alive) return -1;
    w->run = run;
    return write_all(w->task_fd, &run, sizeof run);
}

static int fork_wait(ccs_sweep_pool *p, int *worker, ccs_sweep_outcome *o)
{
    struct pollfd *fds = calloc((size_t)p->n, sizeof *fds);
    if (!fds) return -1;
    for (;;) {
        int nwait = 0;
        for (int i = 0; i < p->n; i++) {
            fds[i].fd = p->w[i].alive && p->w[i].run >= 0 ? p->w[i].result_fd : -1;
            fds[i].events = POLLIN;
            fds[i].revents = 0;
            nwait += fds[i].fd >= 0;
        }
        if (nwait == 0) {
            free(fds);
            return -1;
        }
        if (poll(fds, (nfds_t)p->n, -1) < 0) {
            if (errno == EINTR) continue;
            free(fds);
            return -1;
        }
        for (int i = 0; i < p->n; i++) {
            if (!fds[i].revents) continue;
            fork_worker *w = &p->w[i];
            int rc = read_all(w->result_fd, o, sizeof *o);
            *worker = i;
            if (rc == 1 && o->run == w->run) {
                w->run = -1;
                free(fds);
                return 0;
            }
            /* The worker died mid-run: its run fails, with the reason. */
            int status = 0;
            waitpid(w->pid, &status, 0);
            w->alive = 0;
            memset(o, 0, sizeof *o);
            o->run = w->run;
            o->status = CCS_ERUN;
            snprintf(o->worker, sizeof o->worker, "pid %ld", (long)w->pid);
            if (WIFSIGNALED(status))
                snprintf(o->message, sizeof o->message, "the worker process was killed by signal %d during this run",
                         WTERMSIG(status));
            else
                snprintf(o->message, sizeof o->message, "the worker process ended (exit %d) during this run",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            w->run = -1;
            close(w->task_fd);
            close(w->result_fd);
            free(fds);
            return 0;
        }
    }
}

static void fork_stop(ccs_sweep_pool *p)
{
    if (!p) return;
    for (int i = 0; i < p->n; i++)
        if (p->w[i].alive) close(p->w[i].task_fd); /* EOF: the worker exits */
    for (int i = 0; i < p->n; i++) {
        if (!p->w[i].alive) continue;
        close(p->w[i].result_fd);
        waitpid(p->w[i].pid, NULL, 0);
    }
    free(p->w);
    free(p);
}

const ccs_sweep_pool_type ccs_sweep_pool_fork = {"processes", 1,         fork_start, fork_nworkers,
                                                 fork_submit, fork_wait, fork_stop};

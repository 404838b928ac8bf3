/* The MPI pool and worker ranks; see sweep_mpi.h. Without -Dmpi=enabled the functions are the
 * one-process stand-ins. Rank 0's main thread is the only one to call MPI (MPI_THREAD_FUNNELED);
 * its own worker is a thread that runs runs and hands outcomes over through a mutex-guarded
 * mailbox, so that rank 0 computes too and 2 ranks give 2 workers. */
#include "sweep_mpi.h"

#ifndef CCS_HAVE_MPI

void ccs_mpi_init(int *argc, char ***argv, int *rank, int *size)
{
    (void)argc, (void)argv;
    *rank = 0;
    *size = 1;
}
void ccs_mpi_finalize(void) {}
int ccs_mpi_broadcast_status(int status) { return status; }
void ccs_mpi_serve(const ccs_sweep_plan *plan) { (void)plan; }

#else

#include <mpi.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_RUN = 1, TAG_OUTCOME = 2 };

static int mpi_started;

void ccs_mpi_init(int *argc, char ***argv, int *rank, int *size)
{
    /* Only under mpirun: a plain start stays a plain process with its forked workers (Open MPI
     * frowns on fork after MPI_Init). */
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_RANK")) {
        *rank = 0;
        *size = 1;
        return;
    }
    int provided;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    mpi_started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
}

void ccs_mpi_finalize(void)
{
    if (mpi_started) MPI_Finalize();
    mpi_started = 0;
}

int ccs_mpi_broadcast_status(int status)
{
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return status;
}

void ccs_mpi_serve(const ccs_sweep_plan *plan)
{
    for (;;) {
        int64_t run;
        MPI_Recv(&run, 1, MPI_INT64_T, 0, TAG_RUN, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (run < 0) return;
        ccs_sweep_outcome o;
        ccs_sweep_run_exec(plan, run, &o);
        MPI_Send(&o, (int)sizeof o, MPI_BYTE, 0, TAG_OUTCOME, MPI_COMM_WORLD);
    }
}

/* Worker 0 is rank 0's thread; worker i > 0 is rank i. Each holds up to DEPTH runs. */
enum { DEPTH = 2 };

struct ccs_sweep_pool {
    const ccs_sweep_plan *plan;
    int n;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t tasks[DEPTH + 1]; /* for the thread, a ring; a run < 0 tells it to stop */
    int task_head, ntasks;
    ccs_sweep_outcome outcomes[DEPTH]; /* from the thread, a ring */
    int out_head, nout;
};

static void *local_worker(void *arg)
{
    ccs_sweep_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->ntasks == 0) pthread_cond_wait(&p->cv, &p->mu);
        int64_t run = p->tasks[p->task_head];
        p->task_head = (p->task_head + 1) % (DEPTH + 1);
        p->ntasks--;
        pthread_mutex_unlock(&p->mu);
        if (run < 0) return NULL;
        ccs_sweep_outcome o;
        ccs_sweep_run_exec(p->plan, run, &o);
        pthread_mutex_lock(&p->mu);
        p->outcomes[(p->out_head + p->nout) % DEPTH] = o;
        p->nout++;
        pthread_mutex_unlock(&p->mu);
    }
}

static int mpi_start(const ccs_sweep_plan *plan, int nworkers, ccs_sweep_pool **out, ccs_err *err)
{
    (void)nworkers;
    ccs_sweep_pool *p = calloc(1, sizeof *p);
    if (!p) return ccs_err_set(err, CCS_ERUN, "out of memory");
    p->plan = plan;
    MPI_Comm_size(MPI_COMM_WORLD, &p->n);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, local_worker, p) != 0) {
        free(p);
        return ccs_err_set(err, CCS_ERUN, "cannot start rank 0's worker thread");
    }
    *out = p;
    return 0;
}

static int mpi_nworkers(const ccs_sweep_pool *p) { return p->n; }

static int mpi_submit(ccs_sweep_pool *p, int worker, int64_t run)
{
    if (worker == 0) {
        pthread_mutex_lock(&p->mu);
        p->tasks[(p->task_head + p->ntasks) % (DEPTH + 1)] = run;
        p->ntasks++;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return 0;
    }
    return MPI_Send(&run, 1, MPI_INT64_T, worker, TAG_RUN, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

static int mpi_wait(ccs_sweep_pool *p, int *worker, ccs_sweep_outcome *o)
{
    /* Polls both sources: a rank's message, or the thread's mailbox. A 0.5 ms nap keeps the
     * coordinator off the cores the workers need; with two runs held per worker, the nap never
     * leaves a worker idle. */
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_OUTCOME, MPI_COMM_WORLD, &flag, &st);
        if (flag) {
            MPI_Recv(o, (int)sizeof *o, MPI_BYTE, st.MPI_SOURCE, TAG_OUTCOME, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            *worker = st.MPI_SOURCE;
            return 0;
        }
        pthread_mutex_lock(&p->mu);
        int has = p->nout > 0;
        if (has) {
            *o = p->outcomes[p->out_head];
            p->out_head = (p->out_head + 1) % DEPTH;
            p->nout--;
        }
        pthread_mutex_unlock(&p->mu);
        if (has) {
            *worker = 0;
            return 0;
        }
        struct timespec ts = {0, 500000};
        nanosleep(&ts, NULL);
    }
}

static void mpi_stop(ccs_sweep_pool *p)
{
    int64_t stop = -1;
    for (int r = 1; r < p->n; r++) MPI_Send(&stop, 1, MPI_INT64_T, r, TAG_RUN, MPI_COMM_WORLD);
    mpi_submit(p, 0, -1);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

const ccs_sweep_pool_type ccs_sweep_pool_mpi = {"MPI ranks", DEPTH,    mpi_start, mpi_nworkers,
                                                mpi_submit,  mpi_wait, mpi_stop};

#endif

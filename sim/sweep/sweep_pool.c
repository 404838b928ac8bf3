/* The coordinator's loop; see sweep_pool.h. One copy for ccsim sweep (processes or MPI ranks)
 * and the Python module's sweep. */
#include "sweep_pool.h"

int ccs_sweep_pool_drive(const ccs_sweep_pool_type *type, ccs_sweep_pool *pool, const int64_t *runs, size_t n,
                         ccs_sweep_outcome_fn got, void *ctx, ccs_err *err)
{
    size_t next = 0, done = 0;
    int inflight = 0, rc = 0;
    /* up to depth runs per worker at once, handed out round the workers */
    for (int d = 0; d < type->depth; d++)
        for (int w = 0; w < type->nworkers(pool) && next < n; w++)
            if (type->submit(pool, w, runs ? runs[next] : (int64_t)next) == 0) {
                next++;
                inflight++;
            }
    while (inflight > 0) {
        int w;
        ccs_sweep_outcome o;
        if (type->wait(pool, &w, &o) != 0) {
            if (!rc) rc = ccs_err_set(err, CCS_ERUN, "every worker has ended; %zu runs not run", n - done);
            break;
        }
        inflight--;
        done++;
        if (!rc) rc = got(ctx, &o, err);
        if (!rc && next < n && type->submit(pool, w, runs ? runs[next] : (int64_t)next) == 0) {
            next++;
            inflight++;
        }
    }
    return rc;
}

/* The MPI side of a sweep, built with -Dmpi=enabled: rank 0 coordinates and owns the registry,
 * every rank (rank 0 too, on a thread of its own) runs runs. Messages are a run number one way and
 * an outcome the other (sweep_run.h); ranks are assumed to share the byte layout (one build). */
#ifndef CCS_SWEEP_MPI_H
#define CCS_SWEEP_MPI_H

#include "sweep_pool.h"

/* Initialises MPI if the process was started by mpirun; *rank and *size get the world's (0 and
 * 1 otherwise, or without MPI support). */
void ccs_mpi_init(int *argc, char ***argv, int *rank, int *size);
void ccs_mpi_finalize(void);
/* Rank 0 tells the others whether to go on (0) or the exit code they should end with. */
int ccs_mpi_broadcast_status(int status);
/* A worker rank: runs what rank 0 sends until told to stop. */
void ccs_mpi_serve(const ccs_sweep_plan *plan);

#ifdef CCS_HAVE_MPI
extern const ccs_sweep_pool_type ccs_sweep_pool_mpi;
#endif

#endif

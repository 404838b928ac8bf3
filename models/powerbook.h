/* What a pool of replicas draws and costs (docs/model.md 4), booked in the ledger as it runs.
 * A replica runs on `devices` of its server's devices and carries their share of the host; it
 * serves up to `conc` batches at once (its slots). Every provisioned replica charges idle power
 * (devices and host share), rent and amortised capital cost; each busy slot charges its share of
 * the devices' power above idle (max_w, or memory_bound_w while memory-bound) and of the host's,
 * the host's scaled like the devices'. With a measured power curve the devices' busy power is
 * booked per 5-minute bucket from the bucket's utilisation instead. With a measured power per
 * batch size (batch_w) a busy slot running a batch of b draws (batch_w[b - 1] - idle) / conc for
 * the devices instead of either: batch_w is what the replica's devices draw, idle included,
 * while they run a batch of b (with conc slots, all of them running one); idle and host power
 * stay the hardware's. Busy + idle + host energy is the integral of the server share's power.
 * Shared by the batching pool and the LLM pool (which has no batch sizes to measure by). */
#ifndef CCS_POWERBOOK_H
#define CCS_POWERBOOK_H

#include "ccs_err.h"
#include "ledger.h"
#include "profiles.h"
#include "series.h"

#include <stdint.h>

typedef struct ccs_power_book ccs_power_book;

typedef struct ccs_power_book_params {
    const ccs_hardware_cfg *hw; /* NULL: no power and no money, only replica-hours */
    long devices, conc;         /* per replica */
    double rent_per_hour;       /* per device, where rent_set (a cloud region's price) */
    int rent_set;
    long provisioned; /* replicas at time 0 */
    int region;
    ccs_ledger *ledger;
    ccs_series *series;
    int64_t t0_us, horizon_us;
    int64_t measure_from_us; /* replica-hours count from here on (0: all; see ccs_pool_params) */
    /* NULL: the hardware's max_w, memory_bound_w or power_curve. Else the devices' measured power
     * (W, idle included, whole replica) while busy with a batch of b, for b = 1..nbatch, each at
     * least the replica's idle power (the loader checks); copied. Needs hw. */
    const double *batch_w;
    size_t nbatch;
} ccs_power_book_params;

typedef struct ccs_power_book_result {
    double busy_energy_j, idle_energy_j; /* IT energy of the devices, above idle and idle */
    double host_energy_j;                /* IT energy of the replicas' share of their hosts */
    double provisioned_hours;            /* replica-hours */
    double replicas_mean;                /* provisioned, time-weighted over the period */
    long replicas_max;
    ccs_charge charge;
} ccs_power_book_result;

int ccs_power_book_create(const ccs_power_book_params *p, ccs_power_book **out, ccs_err *err);
void ccs_power_book_destroy(ccs_power_book *b);

/* Charges the provisioned replicas up to now (never past the horizon), then adds delta. */
void ccs_power_book_provision(ccs_power_book *b, int64_t now, long delta);

/* One slot busy over [start, start + dur): memory-bound (memory_bound_w) or not (max_w). Not for
 * a book with batch_w (its busy power depends on the batch: ccs_power_book_batch). */
void ccs_power_book_busy(ccs_power_book *b, int64_t start, int64_t dur, int memory);

/* One slot busy over [start, start + dur) with a batch of n (1..nbatch): at batch_w[n - 1] where
 * the book has a measured table, else as ccs_power_book_busy. */
void ccs_power_book_batch(ccs_power_book *b, int64_t start, int64_t dur, size_t n, int memory);

/* Charges the rest up to the horizon and fills out. Non-zero (err filled) when the ledger could
 * not price a charge (work past the end of the region's traces) or memory ran out. */
int ccs_power_book_finish(ccs_power_book *b, ccs_power_book_result *out, ccs_err *err);

#endif

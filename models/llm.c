/* Continuous batching of LLM requests; see llm.h. */
#include "llm.h"

#include "ccs_rng.h"
#include "powerbook.h"
#include "vidur.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct seq {
    int64_t t_arr, t_first; /* t_first -1: no token yet */
    int32_t prompt;         /* tokens to prefill; after a recompute, all the tokens so far */
    int32_t output;         /* tokens to generate */
    int32_t generated;
    int32_t ctx;     /* tokens in the KV cache */
    int32_t blocks;  /* blocks held */
    int32_t chunk;   /* tokens this iteration: a prefill chunk, 1 to decode, 0 not scheduled */
    int32_t swapped; /* the cache is in host memory (swap preemption) */
    int32_t prompt0; /* the prompt as it came (prompt grows on a recompute) */
    double tag;
} seq;

typedef struct replica {
    seq *run; /* running, in admission order; max_num_seqs of them */
    long nrun;
    seq *wait; /* a ring, power-of-two capacity */
    size_t wcap, whead, wlen;
    long free_blocks;
    int busy; /* an iteration is in flight */
} replica;

struct ccs_llm_pool {
    ccs_llm_params par;
    const ccs_llm_cfg *cfg;
    int phase;
    long nrep, max_blocks;
    replica *rep;
    int kind_iter;
    double swap_s_per_token; /* KV of one token over the host link, each way */
    ccs_power_book *book;
    const ccs_vidur *vidur; /* measured iteration times (the loader's), or NULL: the roofline */
    uint64_t waiting;
    int overloaded, out_of_memory;
    ccs_llm_result r;
    double busy_us, seqs_sum, tokens_sum;
    uint64_t prefill_iters;
    long peak_used;
};

static long blocks_for(const ccs_llm_pool *p, long tokens)
{
    return (tokens + p->cfg->block_size - 1) / p->cfg->block_size;
}

static int wait_grow(ccs_llm_pool *p, replica *r)
{
    if (r->wlen < r->wcap) return 0;
    size_t cap = r->wcap ? 2 * r->wcap : 64;
    seq *w = malloc(cap * sizeof *w);
    if (!w) return p->out_of_memory = 1;
    for (size_t i = 0; i < r->wlen; i++) w[i] = r->wait[(r->whead + i) & (r->wcap - 1)];
    free(r->wait);
    r->wait = w;
    r->wcap = cap;
    r->whead = 0;
    return 0;
}

static seq *wait_front(replica *r) { return &r->wait[r->whead]; }

static void wait_pop(replica *r)
{
    r->whead = (r->whead + 1) & (r->wcap - 1);
    r->wlen--;
}

/* Moves running sequence j to the front of the waiting line, its cache dropped (recompute) or
 * copied to host memory (swap, for a sequence past its prefill). */
static void preempt(ccs_llm_pool *p, replica *r, long j, double *extra_s)
{
    seq s = r->run[j];
    memmove(r->run + j, r->run + j + 1, (size_t)(r->nrun - j - 1) * sizeof *r->run);
    r->nrun--;
    r->free_blocks += s.blocks;
    s.blocks = 0;
    s.chunk = 0;
    if (p->cfg->preemption == CCS_PREEMPT_SWAP && s.ctx >= s.prompt) {
        s.swapped = 1;
        *extra_s += p->swap_s_per_token * s.ctx;
    } else {
        /* a sequence past its prefill holds one token not yet in its cache: the last generated */
        if (s.ctx >= s.prompt) s.prompt = s.ctx + 1;
        s.ctx = 0;
    }
    p->r.preemptions++;
    if (wait_grow(p, r)) return;
    r->whead = (r->whead + r->wcap - 1) & (r->wcap - 1);
    r->wait[r->whead] = s;
    r->wlen++;
    p->waiting++;
}

static void add_prefill(ccs_llm_work *w, double c, double k)
{
    w->prefill_tokens += c;
    w->prefill_pairs += ccs_llm_prefill_pairs(c, k);
    w->prefill_kv_tokens += k + c;
    w->prefill_count += 1;
    w->prefill_sq += c * c;
    w->prefill_cached64 += ceil(k / 64.0) * 64.0;
}

/* Admits waiting sequences in order while sequences, tokens and blocks allow: swapped ones come
 * back (and decode at once in a chunked batch), new prompts prefill, in chunks if allowed.
 * Returns the prompts admitted. */
static long admit(ccs_llm_pool *p, replica *r, long *budget, ccs_llm_work *w, double *extra_s)
{
    const ccs_llm_cfg *c = p->cfg;
    long admitted = 0;
    while (r->wlen > 0 && r->nrun < c->max_num_seqs) {
        seq *s = wait_front(r);
        if (s->swapped) {
            long need = blocks_for(p, s->ctx + 1);
            if (need > r->free_blocks || (c->chunked_prefill && *budget < 1)) break;
            seq t = *s;
            wait_pop(r);
            p->waiting--;
            r->free_blocks -= need;
            t.blocks = (int32_t)need;
            t.swapped = 0;
            t.chunk = 0;
            *extra_s += p->swap_s_per_token * t.ctx;
            if (c->chunked_prefill) {
                t.chunk = 1;
                *budget -= 1;
                w->decode_tokens += 1;
                w->decode_context += t.ctx + 1;
            }
            r->run[r->nrun++] = t;
            continue;
        }
        long left = s->prompt - s->ctx;
        long n = c->chunked_prefill && left > *budget ? *budget : left;
        if (n <= 0 || n > *budget) break;
        long need = blocks_for(p, s->ctx + n) - s->blocks;
        if (need > r->free_blocks) break;
        seq t = *s;
        wait_pop(r);
        p->waiting--;
        r->free_blocks -= need;
        t.blocks += (int32_t)need;
        t.chunk = (int32_t)n;
        *budget -= n;
        add_prefill(w, (double)n, (double)t.ctx);
        r->run[r->nrun++] = t;
        admitted++;
    }
    return admitted;
}

/* The next iteration's batch on replica r: its work, and swap time besides. */
static void form_batch(ccs_llm_pool *p, replica *r, ccs_llm_work *w, double *extra_s)
{
    const ccs_llm_cfg *c = p->cfg;
    long budget = c->max_batched_tokens;
    if (!c->chunked_prefill && admit(p, r, &budget, w, extra_s) > 0) return; /* a prefill-only iteration */
    for (long i = 0; i < r->nrun; i++) {
        seq *s = &r->run[i];
        if (s->chunk > 0) continue; /* just admitted (a swapped sequence's decode) */
        long n = s->ctx < s->prompt ? s->prompt - s->ctx : 1;
        if (n > budget) n = budget;
        if (n <= 0) continue;
        long need = blocks_for(p, s->ctx + n) - s->blocks;
        while (need > r->free_blocks && r->nrun - 1 > i) preempt(p, r, r->nrun - 1, extra_s);
        if (need > r->free_blocks) { /* the last one: it goes itself */
            preempt(p, r, i, extra_s);
            break;
        }
        r->free_blocks -= need;
        s->blocks += (int32_t)need;
        s->chunk = (int32_t)n;
        budget -= n;
        if (s->ctx < s->prompt) {
            add_prefill(w, (double)n, (double)s->ctx);
        } else {
            w->decode_tokens += 1;
            w->decode_context += s->ctx + 1;
        }
    }
    if (c->chunked_prefill) admit(p, r, &budget, w, extra_s);
}

static void start_iteration(ccs_llm_pool *p, long ri, int64_t now)
{
    replica *r = &p->rep[ri];
    ccs_llm_work w = {0};
    double extra_s = 0;
    form_batch(p, r, &w, &extra_s);
    double tokens = w.prefill_tokens + w.decode_tokens;
    if (tokens <= 0 && extra_s <= 0) return; /* nothing can run: waits for a request to finish */
    int memory = 0;
    double s = ccs_llm_pool_step_s(p, &w, &memory) + extra_s;
    if (p->phase == CCS_PHASE_MEMORY) memory = 1;
    if (p->phase == CCS_PHASE_COMPUTE) memory = 0;
    int64_t d = ccs_round_nonneg(s * 1e6);
    if (d < 1) d = 1;
    r->busy = 1;
    p->r.iterations++;
    p->busy_us += (double)d;
    p->tokens_sum += tokens;
    for (long i = 0; i < r->nrun; i++) p->seqs_sum += r->run[i].chunk > 0;
    if (w.prefill_tokens > 0) p->prefill_iters++;
    long used = p->max_blocks - r->free_blocks;
    if (used > p->peak_used) p->peak_used = used;
    ccs_power_book_busy(p->book, now, d, memory);
    ccs_engine_schedule(p->par.eng, now + d, p->kind_iter, (uint64_t)ri);
}

static void finish_seq(ccs_llm_pool *p, replica *r, seq *s, int64_t now)
{
    r->free_blocks += s->blocks;
    p->r.finished++;
    p->r.last_done_us = now;
    ccs_llm_req q = {s->t_arr, s->t_first, s->prompt0, s->output, s->tag};
    p->par.finished(p->par.finished_ctx, &q, now);
}

/* An iteration ended: prefill chunks and decoded tokens are in the caches; a prompt that is
 * complete yields its first (or, after a recompute, its next) token; finished requests leave. */
static void on_iter(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)eng;
    ccs_llm_pool *p = ctx;
    replica *r = &p->rep[arg];
    r->busy = 0;
    long k = 0;
    for (long i = 0; i < r->nrun; i++) {
        seq s = r->run[i];
        if (s.chunk > 0) {
            int prefill = s.ctx < s.prompt;
            s.ctx += s.chunk;
            if (prefill) p->r.prompt_tokens += s.chunk;
            if (!prefill || s.ctx == s.prompt) {
                s.generated++;
                p->r.output_tokens += 1;
                if (s.t_first < 0) s.t_first = now;
            }
            s.chunk = 0;
            if (s.generated >= s.output) {
                finish_seq(p, r, &s, now);
                continue;
            }
        }
        r->run[k++] = s;
    }
    r->nrun = k;
    start_iteration(p, (long)arg, now);
}

double ccs_llm_pool_step_s(const ccs_llm_pool *p, const ccs_llm_work *w, int *memory_bound)
{
    double roofline = ccs_llm_step_s(&p->par.perf, w, memory_bound); /* it says the phase either way */
    return p->vidur ? ccs_vidur_step_s(p->vidur, w) + p->par.perf.overhead_s : roofline;
}

int ccs_llm_pool_overloaded(const ccs_llm_pool *p) { return p->overloaded; }

/* A token count of mean m: fixed, or lognormal with coefficient of variation cv (sigma^2 =
 * ln(1 + cv^2), mu = ln m - sigma^2 / 2), rounded to a whole token. */
static long draw(ccs_llm_pool *p, long m, double cv)
{
    if (!(cv > 0) || !p->par.rng || m < 1) return m;
    double s2 = log1p(cv * cv);
    double x = gsl_ran_lognormal(p->par.rng, log((double)m) - s2 / 2, sqrt(s2));
    return x < 1e9 ? (long)llround(x) : 1000000000L;
}

void ccs_llm_pool_push(ccs_llm_pool *p, int64_t t_arr, int64_t now, double prompt_tokens, double output_tokens,
                       double tag)
{
    const ccs_llm_cfg *c = p->cfg;
    if (p->overloaded) return; /* the run has failed: nothing more is served */
    double in_d = prompt_tokens >= 1 ? round(prompt_tokens) : (double)draw(p, c->prompt_tokens, c->prompt_tokens_cv);
    double out_d = output_tokens >= 1 ? round(output_tokens) : (double)draw(p, c->output_tokens, c->output_tokens_cv);
    if (in_d < 1) in_d = 1;
    if (out_d < 1) out_d = 1;
    /* refused by the engine, as vLLM refuses an over-long prompt (compared as doubles: a trace's
     * count may be far beyond any integer) */
    if (in_d + out_d > (double)c->max_model_len) {
        p->r.rejected++;
        return;
    }
    long in = (long)in_d, out = (long)out_d;
    long best = 0;
    for (long i = 1; i < p->nrep; i++)
        if (p->rep[i].nrun + (long)p->rep[i].wlen < p->rep[best].nrun + (long)p->rep[best].wlen) best = i;
    replica *r = &p->rep[best];
    if (wait_grow(p, r)) return;
    r->wait[(r->whead + r->wlen++) & (r->wcap - 1)] = (seq){.t_arr = t_arr,
                                                            .t_first = -1,
                                                            .prompt = (int32_t)in,
                                                            .output = (int32_t)out,
                                                            .prompt0 = (int32_t)in,
                                                            .tag = tag};
    if (++p->waiting > (uint64_t)c->max_waiting) { /* failed: the lines are emptied so the run ends soon */
        p->overloaded = 1;
        for (long i = 0; i < p->nrep; i++) p->rep[i].wlen = 0;
        p->waiting = 0;
        return;
    }
    if (!r->busy) start_iteration(p, best, now);
}

ccs_llm_perf ccs_llm_pool_perf(const ccs_pool_cfg *cfg)
{
    const ccs_hardware_cfg *hw = cfg->hw;
    const ccs_model_cfg *m = cfg->mdl;
    const ccs_variant_cfg *v = cfg->var;
    const ccs_llm_arch *a = &m->llm;
    double tp = (double)cfg->llm.tensor_parallel, kvb = v->kv_bytes > 0 ? v->kv_bytes : 2.0;
    double hidden = (double)a->heads * (double)a->head_dim, layers = (double)a->layers;
    ccs_llm_perf f = {
        .flop_per_s = tp * ccs_variant_peak_per_s(hw, v) * m->efficiency,
        .bytes_per_s = tp * hw->mem_bw_gb_s * 1e9 * v->memory_efficiency,
        .weight_bytes = v->resident_gb * 1e9,
        .flop_per_token = 2.0 * a->parameters,
        .flop_per_pair = 4.0 * layers * hidden,
        .kv_bytes_per_token = 2.0 * layers * (double)a->kv_heads * (double)a->head_dim * kvb,
        .overhead_s = cfg->llm.step_overhead_ms / 1e3,
    };
    if (tp > 1) { /* two all-reduces per layer of the tokens' fp16 activations */
        f.comm_s_per_token = 2.0 * layers * 2.0 * (tp - 1.0) / tp * hidden * 2.0 / (hw->interconnect_gb_s * 1e9);
        f.comm_s_fixed = 2.0 * layers * hw->collective_latency_us / 1e6;
    }
    return f;
}

long ccs_llm_kv_blocks(const ccs_pool_cfg *cfg)
{
    ccs_llm_perf f = ccs_llm_pool_perf(cfg);
    double bytes = (double)cfg->llm.tensor_parallel * cfg->hw->memory_gb * 1e9 * cfg->llm.memory_utilization -
                   cfg->var->resident_gb * 1e9;
    if (bytes <= 0) return 0;
    return (long)floor(bytes / (f.kv_bytes_per_token * (double)cfg->llm.block_size));
}

int ccs_llm_pool_create(const ccs_llm_params *par, ccs_llm_pool **out, ccs_err *err)
{
    *out = NULL;
    ccs_llm_pool *p = calloc(1, sizeof *p);
    if (!p) return ccs_err_set(err, CCS_ERUN, "out of memory");
    const ccs_pool_cfg *c = par->cfg;
    p->par = *par;
    p->cfg = &c->llm;
    p->phase = c->phase;
    p->nrep = c->replicas;
    p->max_blocks = ccs_llm_kv_blocks(c);
    p->vidur = c->llm.vidur_loaded;
    p->r.kv_blocks = p->max_blocks;
    p->r.last_done_us = -1;
    double link = c->hw->host_link_gb_s * 1e9 * (double)c->llm.tensor_parallel;
    p->swap_s_per_token = link > 0 ? par->perf.kv_bytes_per_token / link : 0.0;
    p->rep = calloc((size_t)p->nrep, sizeof *p->rep);
    p->kind_iter = ccs_engine_add_handler(par->eng, on_iter, p);
    int bad = !p->rep || p->kind_iter < 0;
    for (long i = 0; !bad && i < p->nrep; i++) {
        p->rep[i].free_blocks = p->max_blocks;
        if (!(p->rep[i].run = malloc((size_t)c->llm.max_num_seqs * sizeof *p->rep[i].run))) bad = 1;
    }
    ccs_power_book_params bp = {
        .hw = c->hw,
        .devices = c->llm.tensor_parallel,
        .conc = 1,
        .rent_per_hour = c->rent_per_hour,
        .rent_set = c->rent_set,
        .provisioned = c->replicas,
        .region = par->region,
        .ledger = par->ledger,
        .series = par->series,
        .t0_us = par->t0_us,
        .horizon_us = par->horizon_us,
    };
    if (bad) {
        ccs_llm_pool_destroy(p);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    int rc = ccs_power_book_create(&bp, &p->book, err);
    if (rc) {
        ccs_llm_pool_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

void ccs_llm_pool_destroy(ccs_llm_pool *p)
{
    if (!p) return;
    for (long i = 0; p->rep && i < p->nrep; i++) {
        free(p->rep[i].run);
        free(p->rep[i].wait);
    }
    free(p->rep);
    ccs_power_book_destroy(p->book);
    free(p);
}

int ccs_llm_pool_finish(ccs_llm_pool *p, ccs_pool_result *pool, ccs_llm_result *llm, ccs_err *err)
{
    if (p->out_of_memory) return ccs_err_set(err, CCS_ERUN, "out of memory for the waiting line");
    if (p->overloaded)
        return ccs_err_set(err, CCS_EINPUT,
                           "more than llm.max_waiting = %ld requests waiting: the offered load is above what the "
                           "replicas serve; expected more replicas, a lower rate or a larger max_waiting",
                           p->cfg->max_waiting);
    ccs_power_book_result book;
    int rc = ccs_power_book_finish(p->book, &book, err);
    if (rc) return rc;
    memset(pool, 0, sizeof *pool);
    pool->items = p->r.finished;
    pool->batches = p->r.iterations;
    pool->mean_batch = p->r.iterations ? p->seqs_sum / (double)p->r.iterations : 0.0;
    pool->utilisation = p->busy_us / ((double)p->nrep * (double)p->par.horizon_us);
    pool->replicas_mean = book.replicas_mean;
    pool->replicas_max = book.replicas_max;
    pool->busy_energy_j = book.busy_energy_j;
    pool->idle_energy_j = book.idle_energy_j;
    pool->host_energy_j = book.host_energy_j;
    pool->provisioned_hours = book.provisioned_hours;
    pool->charge = book.charge;
    *llm = p->r;
    double it = (double)p->r.iterations;
    llm->mean_seqs = pool->mean_batch;
    llm->mean_tokens = it > 0 ? p->tokens_sum / it : 0.0;
    llm->mean_iteration_ms = it > 0 ? p->busy_us / it / 1e3 : 0.0;
    llm->prefill_share = it > 0 ? (double)p->prefill_iters / it : 0.0;
    llm->kv_peak = p->max_blocks > 0 ? (double)p->peak_used / (double)p->max_blocks : 0.0;
    return 0;
}

/* ---- the schema of a pool's llm map ---- */
const char *const ccs_preemption_words[] = {"recompute", "swap", NULL};
typedef struct vidur_files {
    char *mlp, *attention, *all_reduce;
} vidur_files;
static const ccs_field vidur_fields[] = {
    {"mlp", CCS_F_PATH, offsetof(vidur_files, mlp), 1, CCS_NO_RANGE, NULL, NULL, 0,
     "Vidur's mlp.csv for this model and device", NULL},
    {"attention", CCS_F_PATH, offsetof(vidur_files, attention), 1, CCS_NO_RANGE, NULL, NULL, 0,
     "Vidur's attention.csv for this model and device", NULL},
    {"all_reduce", CCS_F_PATH, offsetof(vidur_files, all_reduce), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "Vidur's network all_reduce.csv for this server (with tensor parallelism)", NULL},
};
static const ccs_schema vidur_schema = {"vidur", sizeof(vidur_files), vidur_fields, 3, CCS_NOPOS, NULL};
static const ccs_field llm_fields[] = {
    {"max_num_seqs", CCS_F_INT, offsetof(ccs_llm_cfg, max_num_seqs), 1, 1, 65536, NULL, NULL, 0,
     "the most sequences in one iteration, 1 to 65536", NULL},
    {"max_batched_tokens", CCS_F_INT, offsetof(ccs_llm_cfg, max_batched_tokens), 0, 1, 1e7, NULL, NULL, 0,
     "the most tokens in one iteration", NULL},
    {"chunked_prefill", CCS_F_BOOL, offsetof(ccs_llm_cfg, chunked_prefill), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "true or false", NULL},
    {"block_size", CCS_F_INT, offsetof(ccs_llm_cfg, block_size), 0, 1, 4096, NULL, NULL, 0, "KV-cache tokens per block",
     NULL},
    {"memory_utilization", CCS_F_DOUBLE, offsetof(ccs_llm_cfg, memory_utilization), 0, 0.01, 1.0, NULL, NULL, 0,
     "the share of the replica's memory the engine takes, in (0, 1]", NULL},
    {"preemption", CCS_F_ENUM, offsetof(ccs_llm_cfg, preemption), 0, CCS_NO_RANGE, ccs_preemption_words, NULL, 0,
     "recompute or swap", NULL},
    {"tensor_parallel", CCS_F_INT, offsetof(ccs_llm_cfg, tensor_parallel), 0, 1, 1024, NULL, NULL, 0,
     "the devices one replica is sharded over", NULL},
    {"step_overhead_ms", CCS_F_DOUBLE, offsetof(ccs_llm_cfg, step_overhead_ms), 0, 0, 1e4, NULL, NULL, 0,
     "a fixed time per iteration in ms", NULL},
    {"prompt_tokens", CCS_F_INT, offsetof(ccs_llm_cfg, prompt_tokens), 0, 1, 1e8, NULL, NULL, 0,
     "prompt tokens of a request whose arrivals do not say", NULL},
    {"output_tokens", CCS_F_INT, offsetof(ccs_llm_cfg, output_tokens), 0, 1, 1e8, NULL, NULL, 0,
     "output tokens of a request whose arrivals do not say", NULL},
    {"prompt_tokens_cv", CCS_F_DOUBLE, offsetof(ccs_llm_cfg, prompt_tokens_cv), 0, 0, 10, NULL, NULL, 0,
     "the coefficient of variation of prompt_tokens (lognormal per request; 0: fixed)", NULL},
    {"output_tokens_cv", CCS_F_DOUBLE, offsetof(ccs_llm_cfg, output_tokens_cv), 0, 0, 10, NULL, NULL, 0,
     "the coefficient of variation of output_tokens (lognormal per request; 0: fixed)", NULL},
    {"max_model_len", CCS_F_INT, offsetof(ccs_llm_cfg, max_model_len), 0, 2, 1e8, NULL, NULL, 0,
     "the longest prompt + output taken", NULL},
    {"max_waiting", CCS_F_INT, offsetof(ccs_llm_cfg, max_waiting), 0, 1, 1e9, NULL, NULL, 0,
     "waiting requests before the run fails as overloaded", NULL},
    {"vidur", CCS_F_MAP, offsetof(ccs_llm_cfg, vidur), 0, CCS_NO_RANGE, NULL, &vidur_schema, 0,
     "{mlp: PATH, attention: PATH, all_reduce: PATH} (Vidur's profiling files)", NULL},
};
const ccs_schema ccs_llm_schema = {
    "llm", sizeof(ccs_llm_cfg), llm_fields, sizeof llm_fields / sizeof llm_fields[0], CCS_NOPOS, NULL};
